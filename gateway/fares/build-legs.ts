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

function draft(tap: Tap, network: string, status: DraftStatus, reason: string): LegDraft {
  return { network, fromStop: tap.stop, toStop: null, start: tap.time, end: null, status, category: tap.category, media: tap.media, taps: [tap], reason };
}

/** Pairs one account's taps; a class rather than closures because it runs for every account. */
class LegBuilder {
  readonly legs: LegDraft[] = [];
  private open: { tap: Tap; policy: TapOutPolicy } | undefined;
  private closedLate = false;

  constructor(private readonly feed: FareFeed) {}

  private name(stop: string): string {
    return this.feed.stopNames.get(stop) ?? stop;
  }

  private timeoutReason(entry: Tap, policy: TapOutPolicy): string {
    return `no exit tap within ${policy.maxJourneyMinutes} minutes of entering at ${this.name(entry.stop)}`;
  }

  private closeOpen(reason: string): void {
    if (!this.open) return;
    this.legs.push(draft(this.open.tap, this.open.policy.networkId, 'incomplete', reason));
    this.open = undefined;
    this.closedLate = true;
  }

  add(tap: Tap): void {
    const open = this.open;
    if (open && tap.time - open.tap.time > open.policy.maxJourneyMinutes * 60_000) this.closeOpen(this.timeoutReason(open.tap, open.policy));
    const network = networkOf(this.feed, tap);
    const problem = unusable(this.feed, tap, network);
    if (problem !== undefined || network === undefined) {
      this.legs.push(draft(tap, network ?? (tap.network || tap.route), 'unrated', problem ?? ''));
      return;
    }
    const policy = this.feed.tapOut.get(network);
    if (tap.direction === 'in') {
      if (this.open) this.closeOpen(`entered at ${this.name(this.open.tap.stop)} and entered again at ${this.name(tap.stop)} without an exit tap`);
      if (policy) this.open = { tap, policy };
      else this.legs.push(draft(tap, network, 'complete', ''));
      return;
    }
    if (this.open && this.open.policy.networkId === network) {
      this.pair(this.open.tap, tap, this.open.policy);
      return;
    }
    if (this.open) this.closeOpen(`entered at ${this.name(this.open.tap.stop)} and then left a different network at ${this.name(tap.stop)}`);
    const lone = draft(tap, network, 'incomplete', `an exit tap at ${this.name(tap.stop)} without an entry tap`);
    lone.fromStop = null;
    lone.toStop = tap.stop;
    lone.end = tap.time;
    this.legs.push(lone);
  }

  private pair(entry: Tap, exit: Tap, policy: TapOutPolicy): void {
    this.open = undefined;
    const sameStation = this.feed.stationOf.get(entry.stop) === this.feed.stationOf.get(exit.stop);
    const cancelled = sameStation && exit.time - entry.time <= policy.sameStationCancelMinutes * 60_000;
    const reason = cancelled ? `Entered and left ${this.name(entry.stop)} within ${policy.sameStationCancelMinutes} minutes: journey cancelled, no charge` : '';
    const leg = draft(entry, policy.networkId, cancelled ? 'cancelled' : 'complete', reason);
    leg.toStop = exit.stop;
    leg.end = exit.time;
    leg.taps.push(exit);
    this.legs.push(leg);
  }

  finish(): LegDraft[] {
    if (this.open) this.closeOpen(this.timeoutReason(this.open.tap, this.open.policy));
    // A leg closed late (an entry without its exit) goes back to its place in time; the sort is stable.
    if (this.closedLate) this.legs.sort(byStart);
    return this.legs;
  }
}

function byStart(a: LegDraft, b: LegDraft): number {
  return a.start - b.start;
}

export function buildLegs(feed: FareFeed, taps: readonly Tap[]): LegDraft[] {
  const builder = new LegBuilder(feed);
  for (const tap of taps) builder.add(tap);
  return builder.finish();
}
