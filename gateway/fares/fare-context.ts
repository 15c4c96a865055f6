/**
 * What rating derives once per feed and reuses for every account: the time-zone
 * clock, leg rules by network, and memos (leg matching and pricing by network, stops,
 * timeframe groups, category and medium; service-day labels and start instants). The
 * feed is immutable, so the memos never go stale; they grow with the feed's distinct
 * journeys, not with the number of taps.
 */
import type { FareFeed, FarePrice, LegRule } from './fare-feed.ts';
import { priceFor } from './fare-prices.ts';
import { matchLegRules, rulesByNetwork } from './match-leg-rules.ts';
import { groupsHolding } from './timeframe-match.ts';
import { isoDay, ZoneClock } from './zone-clock.ts';

const contexts = new WeakMap<FareFeed, FareContext>();
const DAY_MS = 86_400_000;
const NONE: readonly string[] = [];

export class FareContext {
  readonly clock: ZoneClock;
  /** Memo for price-leg.ts (its own structure). */
  readonly legOutcomes = new Map<string, unknown>();
  private readonly byNetwork: Map<string, LegRule[]>;
  private readonly matches = new Map<string, LegRule[]>();
  private readonly dayLabels = new Map<number, string>();
  private readonly dayStarts = new Map<number, number>();
  private readonly capPrices = new Map<string, Map<string, Array<FarePrice | undefined>>>();
  private readonly usesTimeframes: boolean;

  private constructor(readonly feed: FareFeed) {
    this.clock = new ZoneClock(feed.timezone);
    this.byNetwork = rulesByNetwork(feed);
    this.usesTimeframes = feed.listed.fromTimeframes.size > 0 || feed.listed.toTimeframes.size > 0;
  }

  static of(feed: FareFeed): FareContext {
    let context = contexts.get(feed);
    if (!context) contexts.set(feed, (context = new FareContext(feed)));
    return context;
  }

  serviceDay(ms: number): number {
    return this.clock.serviceDay(ms, this.feed.serviceDayStartMinutes);
  }

  /** YYYY-MM-DD of a service day number. */
  dayLabel(day: number): string {
    let label = this.dayLabels.get(day);
    if (label === undefined) this.dayLabels.set(day, (label = isoDay(day)));
    return label;
  }

  /** The instant a service day starts (service_day_start, local time). */
  dayStart(day: number): number {
    let instant = this.dayStarts.get(day);
    if (instant === undefined) this.dayStarts.set(day, (instant = this.clock.instantOf(day * DAY_MS + this.feed.serviceDayStartMinutes * 60_000)));
    return instant;
  }

  /** Each cap's price (in feed.caps order) for a rider category and medium; undefined where it has none. */
  capLimits(category: string, media: string): ReadonlyArray<FarePrice | undefined> {
    let byMedia = this.capPrices.get(category);
    if (!byMedia) this.capPrices.set(category, (byMedia = new Map()));
    let limits = byMedia.get(media);
    if (!limits) byMedia.set(media, (limits = this.feed.caps.map((cap) => priceFor(this.feed, cap.fareProductId, category, media))));
    return limits;
  }

  /** The timeframe groups holding a leg's start and end, as a memo key part ('' when the feed has no timeframes). */
  timeframeKey(start: number, end: number | null): string {
    if (!this.usesTimeframes) return '';
    const { feed, clock } = this;
    const startGroups = groupsHolding(feed, clock, feed.listed.fromTimeframes, start).join(',');
    const endGroups = end === null ? '\u0001' : groupsHolding(feed, clock, feed.listed.toTimeframes, end).join(',');
    return `${startGroups}\u0000${endGroups}`;
  }

  /** The leg rules of the highest priority matching a leg from `fromStop` to `toStop` (null: unknown). */
  matchingRules(network: string, fromStop: string, toStop: string | null, start: number, end: number | null): LegRule[] {
    const { feed, clock } = this;
    const key = `${network}\u0000${fromStop}\u0000${toStop ?? '\u0001'}\u0000${this.timeframeKey(start, end)}`;
    let rules = this.matches.get(key);
    if (!rules) {
      const timeframes = this.usesTimeframes;
      rules = matchLegRules(feed, this.byNetwork, {
        network,
        fromAreas: feed.areasOfStop.get(fromStop) ?? NONE,
        toAreas: toStop === null ? null : (feed.areasOfStop.get(toStop) ?? NONE),
        startGroups: timeframes ? groupsHolding(feed, clock, feed.listed.fromTimeframes, start) : NONE,
        endGroups: end === null ? null : timeframes ? groupsHolding(feed, clock, feed.listed.toTimeframes, end) : NONE,
      });
      this.matches.set(key, rules);
    }
    return rules;
  }
}
