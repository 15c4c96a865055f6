/**
 * An account's taps (in rating order) → legs: `in`/`out` pairing on the tap-out
 * networks of fare_policy.json (incomplete and cancelled journeys), one leg per `in`
 * elsewhere, and an `unrated` leg for every tap that cannot be used, with the reason.
 */
import type { FareFeed, TapOutPolicy } from './fare-feed.ts';
import type { Tap } from './tap.ts';

export type DraftStatus = 'complete' | 'incomplete' | 'cancelled' | 'unrated';

export interface LegDraft {
  network: string;
  fromStop: string | null;
  toStop: string | null;
  start: number;
  end: number | null;
  status: DraftStatus;
  category: string;
  media: string;
  taps: Tap[];
  /** Why the leg is incomplete, cancelled or unrated, in words for the rider. */
  reason: string;
}

function networkOf(feed: FareFeed, tap: Tap): string | undefined {
  if (tap.network !== '') return feed.networkNames.has(tap.network) ? tap.network : undefined;
  return feed.routeNetwork.get(tap.route);
}

function unusable(feed: FareFeed, tap: Tap, network: string | undefined): string | undefined {
  if (!feed.stopNames.has(tap.stop)) return `Stop "${tap.stop}" is not in the fare feed, so this tap cannot be priced; no charge`;
  if (network === undefined) {
    return tap.network !== '' ? `Network "${tap.network}" is not in the fare feed, so this tap cannot be priced; no charge` : `Route "${tap.route}" has no network in the fare feed, so this tap cannot be priced; no charge`;
  }
  if (tap.direction === 'out' && !feed.tapOut.has(network)) return `An exit tap on ${feed.networkNames.get(network)}, where only entry taps are used; no charge`;
  return undefined;
}

export function buildLegs(feed: FareFeed, taps: readonly Tap[]): LegDraft[] {
  const legs: LegDraft[] = [];
  let open: { tap: Tap; policy: TapOutPolicy } | undefined;
  const name = (stop: string): string => feed.stopNames.get(stop) ?? stop;
  const leg = (tap: Tap, network: string, status: DraftStatus, reason: string, extra: Partial<LegDraft> = {}): LegDraft => ({
    network, fromStop: tap.stop, toStop: null, start: tap.time, end: null, status, category: tap.category, media: tap.media, taps: [tap], reason, ...extra,
  });
  const closeOpen = (why: string): void => {
    if (!open) return;
    legs.push(leg(open.tap, open.policy.networkId, 'incomplete', why));
    open = undefined;
  };
  for (const tap of taps) {
    if (open && tap.time - open.tap.time > open.policy.maxJourneyMinutes * 60_000) {
      closeOpen(`no exit tap within ${open.policy.maxJourneyMinutes} minutes of entering at ${name(open.tap.stop)}`);
    }
    const network = networkOf(feed, tap);
    const problem = unusable(feed, tap, network);
    if (problem !== undefined || network === undefined) {
      legs.push(leg(tap, network ?? (tap.network || tap.route), 'unrated', problem ?? ''));
      continue;
    }
    const policy = feed.tapOut.get(network);
    if (tap.direction === 'in') {
      closeOpen(`entered at ${name(open?.tap.stop ?? '')} and entered again at ${name(tap.stop)} without an exit tap`);
      if (policy) open = { tap, policy };
      else legs.push(leg(tap, network, 'complete', ''));
      continue;
    }
    // An exit on a tap-out network.
    if (open && open.policy.networkId === network) {
      const entry = open.tap;
      open = undefined;
      const sameStation = feed.stationOf.get(entry.stop) === feed.stationOf.get(tap.stop);
      const pair = { toStop: tap.stop, end: tap.time, taps: [entry, tap] };
      if (sameStation && tap.time - entry.time <= policy!.sameStationCancelMinutes * 60_000) {
        legs.push(leg(entry, network, 'cancelled', `Entered and left ${name(entry.stop)} within ${policy!.sameStationCancelMinutes} minutes: journey cancelled, no charge`, pair));
      } else {
        legs.push(leg(entry, network, 'complete', '', pair));
      }
      continue;
    }
    closeOpen(`entered at ${name(open?.tap.stop ?? '')} and then left a different network at ${name(tap.stop)}`);
    legs.push(leg(tap, network, 'incomplete', `an exit tap at ${name(tap.stop)} without an entry tap`, { fromStop: null, toStop: tap.stop, end: tap.time }));
  }
  if (open) closeOpen(`no exit tap within ${open.policy.maxJourneyMinutes} minutes of entering at ${name(open.tap.stop)}`);
  // A leg closed late (an entry without its exit) goes back to its place in time; the sort is stable.
  return legs.sort((a, b) => a.start - b.start);
}
