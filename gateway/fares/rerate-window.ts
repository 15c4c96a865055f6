/**
 * Which part of an account's history a late tap can change, so clearing re-rates an
 * account from a point where rating can restart, not from the beginning of time.
 * Rating restarts cleanly at an instant where no paired journey, sub-journey or
 * rolling cap window is open; the start of a service day (or of the week, with week
 * caps) is the first candidate, moved earlier while the previous rating shows
 * something open across it.
 */
import { FareContext } from './fare-context.ts';
import type { FareFeed } from './fare-feed.ts';
import type { AccountRating } from './rating.ts';
import type { Tap } from './tap.ts';
import { isoDay, mondayOf } from './zone-clock.ts';

export interface RerateWindow {
  /** Legs starting before this instant cannot change: an exit pairs back at most max_journey_minutes. */
  changesFrom: number;
  /** The service day of `changesFrom`, YYYY-MM-DD. */
  firstServiceDay: string;
  /**
   * Give `rateAccount` the account's taps from this instant on (all of them, up to
   * now): it is a clean restart point for the previous rating given. Charges of legs
   * starting from `changesFrom` are the ones to compare and supersede.
   */
  rateFrom: number;
  /**
   * The cap windows holding the tap: the service-day and week windows from the feed, and
   * the rolling windows of the previous rating that hold it (a rolling window depends on
   * the account's history). Their totals may change.
   */
  capWindows: Array<{ capId: string; from: number; until: number }>;
}

export function rerateWindow(feed: FareFeed, tap: Pick<Tap, 'time'>, previous?: AccountRating): RerateWindow {
  const context = FareContext.of(feed);
  const longestJourney = Math.max(0, ...[...feed.tapOut.values()].map((policy) => policy.maxJourneyMinutes));
  const changesFrom = tap.time - longestJourney * 60_000;
  const serviceDay = context.serviceDay(changesFrom);
  const firstDay = feed.caps.some((cap) => cap.period === 'week') ? mondayOf(serviceDay) : serviceDay;
  let rateFrom = context.dayStart(firstDay);
  for (let moved = previous !== undefined; moved; ) {
    moved = false;
    const earlier = (instant: number): void => {
      if (instant < rateFrom) {
        rateFrom = instant;
        moved = true;
      }
    };
    for (const window of previous!.capWindows) if (window.from < rateFrom && rateFrom < window.until && feed.caps.some((cap) => cap.capId === window.capId && cap.period === 'rolling')) earlier(window.from);
    for (const leg of previous!.legs) if (leg.end !== null && leg.start < rateFrom && leg.end >= rateFrom) earlier(leg.start);
    for (const sub of previous!.subJourneys) {
      const first = previous!.legs[sub.legs[0]!]!.start;
      if (first < rateFrom && sub.legs.some((i) => previous!.legs[i]!.start >= rateFrom)) earlier(first);
    }
  }
  const tapDay = context.serviceDay(tap.time);
  const capWindows = feed.caps.flatMap((cap) => {
    if (cap.period === 'rolling') return (previous?.capWindows ?? []).filter((w) => w.capId === cap.capId && w.from <= tap.time && tap.time < w.until).map(({ capId, from, until }) => ({ capId, from, until }));
    const first = cap.period === 'week' ? mondayOf(tapDay) : tapDay;
    return [{ capId: cap.capId, from: context.dayStart(first), until: context.dayStart(first + cap.days) }];
  });
  return { changesFrom, firstServiceDay: isoDay(serviceDay), rateFrom: Math.min(rateFrom, changesFrom), capWindows };
}
