/** What rating returns: legs with their charges and explanations, sub-journeys, day and account totals. */

export type LegStatus = 'complete' | 'incomplete' | 'cancelled' | 'unrated';

export interface RatedLeg {
  account: string;
  network: string;
  /** null only for an `out` that had no `in` (an incomplete leg known by its exit alone). */
  fromStop: string | null;
  /** null for tap-on-only legs and for legs without their `out`. */
  toStop: string | null;
  /** ms since the epoch: the `in` tap (or the lone `out`). */
  start: number;
  /** ms since the epoch: the `out` tap; null when there is none. */
  end: number | null;
  /** Local service day of `start`, YYYY-MM-DD. */
  serviceDay: string;
  status: LegStatus;
  /** The leg rule's product, or the incomplete-journey product; null for cancelled and unrated legs. */
  fareProductId: string | null;
  /** rider_category_id the leg was priced for. */
  category: string;
  legGroupId: string | null;
  /** What the leg adds to its sub-journey's cost before caps (a type-2 transfer may make it negative). */
  baseMinor: number;
  /** What the rider is charged for the leg, after caps. */
  chargeMinor: number;
  currency: string;
  /** Sentences for the rider: leg rule, transfer rule, each cap that changed the amount. */
  explain: string[];
  /** Index into AccountRating.subJourneys; null for incomplete, cancelled and unrated legs. */
  subJourney: number | null;
  /** `Tap.ref` of the taps that made the leg. */
  tapRefs: number[];
}

export interface SubJourney {
  /** Indexes into AccountRating.legs, in time order. */
  legs: number[];
  /** The sub-journey's fare: the sum of its legs' baseMinor. */
  costMinor: number;
  /** The sum of its legs' chargeMinor (after caps). */
  chargeMinor: number;
}

export interface DayTotal {
  serviceDay: string;
  totalMinor: number;
}

/** A cap window the account used, as rating saw it at the end. */
export interface CapWindow {
  capId: string;
  /** Instants (ms): the window holds legs starting in [from, until). */
  from: number;
  until: number;
  spentMinor: number;
}

export interface AccountRating {
  account: string;
  legs: RatedLeg[];
  subJourneys: SubJourney[];
  /** One per service day with a leg, in day order. */
  days: DayTotal[];
  totalMinor: number;
  currency: string;
  capWindows: CapWindow[];
}

export interface Rating {
  /** Accounts in account-id order. */
  accounts: AccountRating[];
  currency: string;
}
