/** A tap as rating sees it, and the one order in which an account's taps are rated. */

export type TapDirection = 'in' | 'out';

export interface Tap {
  /** Milliseconds since the epoch. */
  time: number;
  /** Who pays: caps and transfers are per account. */
  account: string;
  stop: string;
  /** network_id; empty when only the route is known. */
  network: string;
  route: string;
  direction: TapDirection;
  /** rider_category_id; empty = the feed's default category. */
  category: string;
  /** fare_media_id; may be empty. */
  media: string;
  /** The caller's reference for the tap (CSV line, ledger row id); returned on the leg it made. */
  ref: number;
}

const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Time, then `in` before `out`, then the tap's content, then `ref`: two different taps
 * at the same instant are ordered by what they say, not by when they arrived, so the
 * arrival order never changes a charge.
 */
export function compareTaps(a: Tap, b: Tap): number {
  return (
    a.time - b.time ||
    (a.direction === b.direction ? 0 : a.direction === 'in' ? -1 : 1) ||
    text(a.stop, b.stop) ||
    text(a.network, b.network) ||
    text(a.route, b.route) ||
    text(a.category, b.category) ||
    text(a.media, b.media) ||
    a.ref - b.ref
  );
}
