/**
 * A leg's own fare, before transfers and caps: the cheapest product of the
 * highest-priority matching leg rules for the rider's category and medium, or the
 * incomplete-journey product; with the sentence that tells the rider why. Outcomes
 * are memoised per feed by journey, category and medium.
 */
import type { LegDraft } from './build-legs.ts';
import type { FareContext } from './fare-context.ts';
import type { FarePrice, LegRule } from './fare-feed.ts';
import { priceFor } from './fare-prices.ts';
import { formatMinorUnits } from './money.ts';

export interface PricedLeg {
  draft: LegDraft;
  status: LegDraft['status'];
  /** The rider category priced (the default one when the tap gave none). */
  category: string;
  rule: LegRule | undefined;
  price: FarePrice | undefined;
  amountMinor: number;
  /** The sentence for the rider about the leg's own fare (or why it has none). */
  sentence: string;
}

interface Outcome {
  status: 'complete' | 'unrated';
  rule: LegRule | undefined;
  price: FarePrice | undefined;
  sentence: string;
}

function place(context: FareContext, stop: string | null, area: string): string {
  const stopName = stop === null ? 'an unknown stop' : (context.feed.stopNames.get(stop) ?? stop);
  return area === '' ? stopName : `${stopName} (${context.feed.areaNames.get(area) ?? area})`;
}

function describeRule(context: FareContext, leg: LegDraft, rule: LegRule, price: FarePrice, category: string): string {
  const { feed } = context;
  const from = `from ${place(context, leg.fromStop, rule.fromAreaId)}`;
  const route = leg.toStop === null ? from : `${from} to ${place(context, leg.toStop, rule.toAreaId)}`;
  const who = feed.categoryNames.get(category) ?? category;
  return `${feed.networkNames.get(leg.network) ?? leg.network} ${route}: ${price.fareProductName}${who === '' ? '' : ` for ${who}`}, ${formatMinorUnits(price.amountMinor, price.currency)} (fare rule on line ${rule.line} of fare_leg_rules.txt)`;
}

function completeOutcome(context: FareContext, leg: LegDraft, category: string): Outcome {
  const rules = context.matchingRules(leg.network, leg.fromStop!, leg.toStop, leg.start, leg.end);
  let best: { rule: LegRule; price: FarePrice } | undefined;
  for (const rule of rules) {
    const price = priceFor(context.feed, rule.fareProductId, category, leg.media);
    if (price && (!best || price.amountMinor < best.price.amountMinor)) best = { rule, price };
  }
  if (!best) {
    const why = rules.length === 0 ? 'No fare rule covers this journey' : `Fare product "${rules[0]!.fareProductId}" has no price for this rider category or medium`;
    return { status: 'unrated', rule: undefined, price: undefined, sentence: `${why}; no charge` };
  }
  return { status: 'complete', rule: best.rule, price: best.price, sentence: describeRule(context, leg, best.rule, best.price, category) };
}

interface MemoEntry {
  network: string;
  category: string;
  media: string;
  timeframes: string;
  outcome: Outcome;
}

/**
 * The outcome for this journey, category and medium, from the feed's memo: by from
 * stop, then to stop, then a short list (few networks, categories and media per stop
 * pair). Nested maps look up the taps' own strings instead of building a key per leg.
 */
function memoised(context: FareContext, leg: LegDraft, category: string): Outcome {
  const memo = context.legOutcomes as Map<string, Map<string, MemoEntry[]>>;
  let byTo = memo.get(leg.fromStop!);
  if (!byTo) memo.set(leg.fromStop!, (byTo = new Map()));
  const to = leg.toStop ?? '\u0001';
  let entries = byTo.get(to);
  if (!entries) byTo.set(to, (entries = []));
  const timeframes = context.timeframeKey(leg.start, leg.end);
  for (const entry of entries) {
    if (entry.network === leg.network && entry.category === category && entry.media === leg.media && entry.timeframes === timeframes) return entry.outcome;
  }
  const outcome = completeOutcome(context, leg, category);
  entries.push({ network: leg.network, category, media: leg.media, timeframes, outcome });
  return outcome;
}

function priced(leg: LegDraft, status: PricedLeg['status'], category: string, sentence: string, rule?: LegRule, price?: FarePrice): PricedLeg {
  return { draft: leg, status, category, rule, price, amountMinor: price?.amountMinor ?? 0, sentence };
}

function priceIncomplete(context: FareContext, leg: LegDraft, category: string): PricedLeg {
  const productId = context.feed.tapOut.get(leg.network)!.incompleteFareProductId;
  const price = priceFor(context.feed, productId, category, leg.media);
  if (!price) return priced(leg, 'unrated', category, `Incomplete journey (${leg.reason}), but fare product "${productId}" has no price for this rider category; no charge`);
  const sentence = `Incomplete journey: ${leg.reason}; charged ${price.fareProductName}, ${formatMinorUnits(price.amountMinor, price.currency)} (incomplete journeys are not capped)`;
  return priced(leg, 'incomplete', category, sentence, undefined, price);
}

export function priceLeg(context: FareContext, leg: LegDraft): PricedLeg {
  const { feed } = context;
  const category = leg.category === '' ? feed.defaultCategoryId : leg.category;
  if (leg.status === 'unrated' || leg.status === 'cancelled') return priced(leg, leg.status, category, leg.reason);
  if (leg.category !== '' && !feed.categoryNames.has(leg.category)) {
    return priced(leg, 'unrated', category, `Rider category "${leg.category}" is not in the fare feed, so this journey cannot be priced; no charge`);
  }
  if (leg.status === 'incomplete') return priceIncomplete(context, leg, category);
  const outcome = memoised(context, leg, category);
  return priced(leg, outcome.status, category, outcome.sentence, outcome.rule, outcome.price);
}
