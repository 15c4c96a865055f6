/** The fare-configuration settings the ticket check obeys (ticket-format.md defaults). */
import type { Product } from '../ticket/claims.ts';

export type UnanchoredClockPolicy = 'accept-flagged' | 'reject';

export interface CheckSettings {
  /** Clock skew allowed on every time window, seconds. */
  skewSeconds: number;
  /** How long a level-2 code stays valid after it was made, seconds (at most 60). */
  codeWindowSeconds: number;
  /** Time in which a non-single ticket may not enter again at the same station, seconds. */
  passbackSeconds: number;
  /** How long after `exp` an exit gate still lets a rider out, seconds. */
  exitGraceSeconds: number;
  /** What to do when the validator cannot vouch for its clock. */
  unanchoredClock: UnanchoredClockPolicy;
  /**
   * The longest `exp - nbf` a ticket of each product may have, seconds. Only a misused
   * key signs a longer one; it also bounds how long after its key's window a ticket can
   * be valid (docs/protocol.md, "Key lifecycle").
   */
  maxLifetimeSeconds: ProductLifetimes;
}

export type ProductLifetimes = Readonly<Record<Product, number>>;

const DAY = 86_400;

/** A single: two days (bought for today or tomorrow); a day ticket: its service day (26 h, it runs past midnight); a period: a year and a day; an account: five years. */
export const DEFAULT_MAX_LIFETIME_SECONDS = {
  single: 2 * DAY,
  day: 26 * 3600,
  period: 366 * DAY,
  account: 5 * 366 * DAY,
} as const satisfies ProductLifetimes;

export const DEFAULT_CHECK_SETTINGS = {
  skewSeconds: 5,
  codeWindowSeconds: 30,
  passbackSeconds: 600,
  exitGraceSeconds: 7200,
  unanchoredClock: 'accept-flagged',
  maxLifetimeSeconds: DEFAULT_MAX_LIFETIME_SECONDS,
} as const satisfies CheckSettings;

export const MAX_CODE_WINDOW_SECONDS = 60;
