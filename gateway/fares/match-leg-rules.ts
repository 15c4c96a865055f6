/**
 * GTFS leg matching (fare_leg_rules.txt). A rule's field matches when it names one of
 * the leg's values. An empty field means "any value" when the file has a
 * rule_priority column, and "every value not named in this column" when it has not.
 * Of the matching rules only those with the highest rule_priority (empty = 0) apply.
 * An unknown arrival (tap-on-only legs, no exit tap) matches only empty fields.
 */
import type { FareFeed, LegRule } from './fare-feed.ts';

export interface LegFacts {
  network: string;
  fromAreas: readonly string[];
  /** null: the arrival is unknown. */
  toAreas: readonly string[] | null;
  startGroups: readonly string[];
  endGroups: readonly string[] | null;
}

function fieldMatches(ruleValue: string, legValues: readonly string[] | null, listed: ReadonlySet<string>, anyWhenEmpty: boolean): boolean {
  if (legValues === null) return ruleValue === '';
  if (ruleValue === '') return anyWhenEmpty || !legValues.some((value) => listed.has(value));
  return legValues.includes(ruleValue);
}

export function ruleMatches(feed: FareFeed, rule: LegRule, leg: LegFacts): boolean {
  const any = feed.hasRulePriority;
  const { listed } = feed;
  return (
    fieldMatches(rule.networkId, [leg.network], listed.networks, any) &&
    fieldMatches(rule.fromAreaId, leg.fromAreas, listed.fromAreas, any) &&
    fieldMatches(rule.toAreaId, leg.toAreas, listed.toAreas, any) &&
    fieldMatches(rule.fromTimeframeGroupId, leg.startGroups, listed.fromTimeframes, any) &&
    fieldMatches(rule.toTimeframeGroupId, leg.endGroups, listed.toTimeframes, any)
  );
}

/** Rules by network_id ('' for rules with an empty network), built once per feed. */
export function rulesByNetwork(feed: FareFeed): Map<string, LegRule[]> {
  const byNetwork = new Map<string, LegRule[]>();
  for (const rule of feed.legRules) {
    const list = byNetwork.get(rule.networkId) ?? [];
    list.push(rule);
    byNetwork.set(rule.networkId, list);
  }
  return byNetwork;
}

/** Every matching rule of the highest priority, in file order. */
export function matchLegRules(feed: FareFeed, byNetwork: ReadonlyMap<string, LegRule[]>, leg: LegFacts): LegRule[] {
  const candidates = [...(byNetwork.get(leg.network) ?? []), ...(byNetwork.get('') ?? [])];
  let best: LegRule[] = [];
  for (const rule of candidates) {
    if (!ruleMatches(feed, rule, leg)) continue;
    const top = best[0]?.rulePriority;
    if (top === undefined || rule.rulePriority > top) best = [rule];
    else if (rule.rulePriority === top) best.push(rule);
  }
  return best.sort((a, b) => a.index - b.index);
}
