/**
 * The clearing part of the ledger: rated account-days (charges with their
 * explanations), the uses of issued tickets, and the records that arrived late.
 *
 * A rating is never edited: re-rating an account-day after a late tap stores a new
 * version beside the old ones, and the highest version is the one that counts. So the
 * history of every charge can be read back (`ratingHistory`) and audited.
 */

/** One journey leg as it was charged. */
export interface ChargedLeg {
  /** Position of the leg within its account-day rating, from 0. */
  legIndex: number;
  network: string;
  /** The agency the leg's revenue goes to (from the feed's routes), or the network when unknown. */
  agency: string;
  fromStop: string | null;
  toStop: string | null;
  /** Unix ms of the `in` tap (or of a lone `out`). */
  start: number;
  end: number | null;
  status: 'complete' | 'incomplete' | 'cancelled' | 'unrated';
  fareProductId: string | null;
  category: string;
  baseMinor: number;
  chargeMinor: number;
  currency: string;
  /** Index of the leg's sub-journey within the day's rating; null when it has none. */
  subJourney: number | null;
  explain: string[];
  /** The journal records that made the leg. */
  taps: Array<{ device: string; seq: number }>;
}

export const FLAG_KINDS = ['single-reused', 'missing-exit', 'too-fast'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

/** Something clearing found suspicious; a person decides what it means. */
export interface ClearingFlag {
  kind: FlagKind;
  /** The account (or ticket id) concerned. */
  subject: string;
  /** Unix ms of the tap that raised it. */
  at: number;
  serviceDay: string;
  detail: string;
}

/** One version of the rating of one account on one service day. */
export interface AccountDayRating {
  account: string;
  /** YYYY-MM-DD. */
  serviceDay: string;
  /** 1 for the first rating; each re-rating adds one. */
  version: number;
  ratedAt: number;
  /** Why this version was made (new taps, a late batch from a device, ...). */
  reason: string;
  totalMinor: number;
  currency: string;
  legs: ChargedLeg[];
  /** Flags of the account's taps that day, as this version saw them. */
  flags: ClearingFlag[];
}

/** An accepted tap of a ticket that is not an account (a single or a pass). */
export interface TicketUse {
  device: string;
  seq: number;
  ticketId: string;
  product: string;
  at: number;
  serviceDay: string;
  direction: 'in' | 'out';
  stop: string;
  network: string;
  agency: string;
}

/** A journal record committed long after the gate made it. */
export interface LateArrival {
  device: string;
  seq: number;
  at: number;
  receivedAt: number;
}

/** Per device, what the ledger holds of the records made in a time range. */
export interface DeviceRange {
  device: string;
  firstSeq: number;
  lastSeq: number;
  received: number;
}

export interface ChargeTotal {
  agency: string;
  currency: string;
  chargedMinor: number;
  legs: number;
  accounts: number;
}

export interface LateSummary {
  device: string;
  count: number;
  firstSeq: number;
  lastSeq: number;
  /** The longest delay, ms. */
  maxDelayMs: number;
}

export interface ClearingStore {
  /**
   * Runs `work` holding the account's rating lock: across every gateway on this
   * store, one rates a given account at a time (PostgreSQL: an advisory lock;
   * SQLite: one process owns the file, so a lock in the process).
   */
  withAccountLock<T>(account: string, work: () => Promise<T>): Promise<T>;
  /** The current (highest) version of each of the account's days in [fromDay, toDay], by day. */
  currentRatings(account: string, fromDay: string, toDay: string): Promise<AccountDayRating[]>;
  /** Every version of the account's days in [fromDay, toDay], by day then version. */
  ratingHistory(account: string, fromDay: string, toDay: string): Promise<AccountDayRating[]>;
  /** Stores a version; false (nothing written) when that account, day and version exists. */
  insertRating(rating: AccountDayRating): Promise<boolean>;
  /** Sums of the current charges of one service day, per agency and currency, ordered. */
  chargeTotals(serviceDay: string): Promise<ChargeTotal[]>;
  /** Flags of the current ratings of days in [fromDay, toDay], by day, then account. */
  ratingFlags(fromDay: string, toDay: string): Promise<ClearingFlag[]>;
  /** Stores uses, each once per (device, seq); returns how many were new. */
  recordTicketUses(uses: TicketUse[]): Promise<number>;
  /** Every use of the tickets that have a use on `serviceDay`, ordered by ticket, time, device, seq. */
  usesOfTicketsUsedOn(serviceDay: string): Promise<TicketUse[]>;
  /** Every use of one ticket, by time. */
  ticketUses(ticketId: string): Promise<TicketUse[]>;
  /** Entries (`in`) of tickets of `product` used more than once, for tickets with an entry in [fromDay, toDay]. */
  repeatedEntries(product: string, fromDay: string, toDay: string): Promise<TicketUse[]>;
  recordLateArrivals(late: LateArrival[]): Promise<number>;
  /** Late records made in [from, until), per device. */
  lateSummary(from: number, until: number): Promise<LateSummary[]>;
  /** Records made in [from, until) (gate time), per device: seq range and count. */
  deviceRanges(from: number, until: number): Promise<DeviceRange[]>;
}
