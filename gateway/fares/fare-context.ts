/**
 * What rating derives once per feed and reuses for every account: the time-zone
 * clock, leg rules by network, and a memo of leg matching by (network, stops,
 * timeframe groups). The feed is immutable, so the memo never goes stale.
 */
import type { FareFeed, LegRule } from './fare-feed.ts';
import { matchLegRules, rulesByNetwork } from './match-leg-rules.ts';
import { groupsHolding } from './timeframe-match.ts';
import { ZoneClock } from './zone-clock.ts';

const contexts = new WeakMap<FareFeed, FareContext>();

export class FareContext {
  readonly clock: ZoneClock;
  private readonly byNetwork: Map<string, LegRule[]>;
  private readonly matches = new Map<string, LegRule[]>();

  private constructor(readonly feed: FareFeed) {
    this.clock = new ZoneClock(feed.timezone);
    this.byNetwork = rulesByNetwork(feed);
  }

  static of(feed: FareFeed): FareContext {
    let context = contexts.get(feed);
    if (!context) contexts.set(feed, (context = new FareContext(feed)));
    return context;
  }

  serviceDay(ms: number): number {
    return this.clock.serviceDay(ms, this.feed.serviceDayStartMinutes);
  }

  /** The leg rules of the highest priority matching a leg from `fromStop` to `toStop` (null: unknown). */
  matchingRules(network: string, fromStop: string, toStop: string | null, start: number, end: number | null): LegRule[] {
    const { feed, clock } = this;
    const startGroups = groupsHolding(feed, clock, feed.listed.fromTimeframes, start);
    const endGroups = end === null ? null : groupsHolding(feed, clock, feed.listed.toTimeframes, end);
    const key = `${network}\u0000${fromStop}\u0000${toStop ?? '\u0001'}\u0000${startGroups.join(',')}\u0000${endGroups?.join(',') ?? '\u0001'}`;
    let rules = this.matches.get(key);
    if (!rules) {
      rules = matchLegRules(feed, this.byNetwork, {
        network,
        fromAreas: feed.areasOfStop.get(fromStop) ?? [],
        toAreas: toStop === null ? null : (feed.areasOfStop.get(toStop) ?? []),
        startGroups,
        endGroups,
      });
      this.matches.set(key, rules);
    }
    return rules;
  }
}
