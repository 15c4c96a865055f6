/**
 * Fraud flags clearing raises from one account's rating (a person decides what they
 * mean; nothing is refused or charged because of them):
 *  - missing-exit: an entry on a tap-out network whose exit never came, followed by
 *    another entry (the incomplete leg is charged the maximum fare anyway);
 *  - too-fast: an entry at a station less than `minTravelMs` after a tap at another
 *    station — the account is in two places faster than the network can carry a rider.
 *
 * Why one configured minimum and not distance/speed: the fare feed carries no stop
 * coordinates (the contract reads stop_id, stop_name and parent_station only), and
 * the operator knows the quickest station-to-station time of its own network better
 * than a straight-line speed would; the default, 2 minutes, is below any ride between
 * two stations plus the walk from gate to platform and back.
 */
import type { AccountRating, FareFeed, Tap } from '../fares/fares-api.ts';
import type { ClearingFlag } from '../ledger/clearing-store.ts';
import { serviceDayOf } from './clearing-places.ts';

const minutes = (ms: number): string => `${Math.round(ms / 6000) / 10} min`;

export function ratingFlags(feed: FareFeed, rating: AccountRating, taps: readonly Tap[], minTravelMs: number): ClearingFlag[] {
  const flags: ClearingFlag[] = [];
  const name = (stop: string | null): string => (stop === null ? 'an unknown stop' : (feed.stopNames.get(stop) ?? stop));
  rating.legs.forEach((leg, i) => {
    const next = rating.legs[i + 1];
    if (leg.status !== 'incomplete' || leg.fromStop === null || leg.end !== null || next === undefined || next.fromStop === null) return;
    flags.push({
      kind: 'missing-exit',
      subject: rating.account,
      at: next.start,
      serviceDay: next.serviceDay,
      detail: `entered ${name(leg.fromStop)} at ${new Date(leg.start).toISOString()} with no exit, then entered ${name(next.fromStop)}`,
    });
  });
  const station = (stop: string): string => feed.stationOf.get(stop) ?? stop;
  const ordered = [...taps].sort((a, b) => a.time - b.time || a.ref - b.ref);
  for (let i = 1; i < ordered.length; i++) {
    const before = ordered[i - 1]!;
    const tap = ordered[i]!;
    const gap = tap.time - before.time;
    if (tap.direction !== 'in' || station(tap.stop) === station(before.stop) || gap >= minTravelMs) continue;
    flags.push({
      kind: 'too-fast',
      subject: rating.account,
      at: tap.time,
      serviceDay: serviceDayOf(feed, tap.time),
      detail: `entered ${name(tap.stop)} ${minutes(gap)} after a tap at ${name(before.stop)}; the network needs at least ${minutes(minTravelMs)}`,
    });
  }
  return flags;
}
