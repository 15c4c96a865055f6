/**
 * A leg's own fare, before transfers and caps: the cheapest product of the
 * highest-priority matching leg rules for the rider's category and medium, or the
 * incomplete-journey product; with the sentence that tells the rider why.
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
  explain: string[];
}

function describeRule(context: FareContext, leg: LegDraft, rule: LegRule, price: FarePrice, category: string): string {
  const { feed } = context;
  const place = (stop: string | null, area: string): string => {
    const stopName = stop === null ? 'an unknown stop' : (feed.stopNames.get(stop) ?? stop);
    return area === '' ? stopName : `${stopName} (${feed.areaNames.get(area) ?? area})`;
  };
  const route = leg.toStop === null ? `from ${place(leg.fromStop, rule.fromAreaId)}` : `from ${place(leg.fromStop, rule.fromAreaId)} to ${place(leg.toStop, rule.toAreaId)}`;
  const who = feed.categoryNames.get(category) ?? category;
  return `${feed.networkNames.get(leg.network) ?? leg.network} ${route}: ${price.fareProductName}${who === '' ? '' : ` for ${who}`}, ${formatMinorUnits(price.amountMinor, price.currency)} (fare rule on line ${rule.line} of fare_leg_rules.txt)`;
}

function priceComplete(context: FareContext, leg: LegDraft, category: string): PricedLeg {
  const base = { draft: leg, category, rule: undefined, price: undefined, amountMinor: 0 };
  const rules = context.matchingRules(leg.network, leg.fromStop!, leg.toStop, leg.start, leg.end);
  let best: { rule: LegRule; price: FarePrice } | undefined;
  for (const rule of rules) {
    const price = priceFor(context.feed, rule.fareProductId, category, leg.media);
    if (price && (!best || price.amountMinor < best.price.amountMinor)) best = { rule, price };
  }
  if (!best) {
    const why = rules.length === 0 ? 'No fare rule covers this journey' : `Fare product "${rules[0]!.fareProductId}" has no price for this rider category or medium`;
    return { ...base, status: 'unrated', explain: [`${why}; no charge`] };
  }
  return { ...base, status: 'complete', rule: best.rule, price: best.price, amountMinor: best.price.amountMinor, explain: [describeRule(context, leg, best.rule, best.price, category)] };
}

function priceIncomplete(context: FareContext, leg: LegDraft, category: string): PricedLeg {
  const productId = context.feed.tapOut.get(leg.network)!.incompleteFareProductId;
  const price = priceFor(context.feed, productId, category, leg.media);
  if (!price) return { draft: leg, status: 'unrated', category, rule: undefined, price: undefined, amountMinor: 0, explain: [`Incomplete journey (${leg.reason}), but fare product "${productId}" has no price for this rider category; no charge`] };
  const sentence = `Incomplete journey: ${leg.reason}; charged ${price.fareProductName}, ${formatMinorUnits(price.amountMinor, price.currency)} (incomplete journeys are not capped)`;
  return { draft: leg, status: 'incomplete', category, rule: undefined, price, amountMinor: price.amountMinor, explain: [sentence] };
}

export function priceLeg(context: FareContext, leg: LegDraft): PricedLeg {
  const { feed } = context;
  const category = leg.category === '' ? feed.defaultCategoryId : leg.category;
  const none = { draft: leg, category, rule: undefined, price: undefined, amountMinor: 0 };
  if (leg.status === 'unrated' || leg.status === 'cancelled') return { ...none, status: leg.status, explain: [leg.reason] };
  if (leg.category !== '' && !feed.categoryNames.has(leg.category)) {
    return { ...none, status: 'unrated', explain: [`Rider category "${leg.category}" is not in the fare feed, so this journey cannot be priced; no charge`] };
  }
  return leg.status === 'incomplete' ? priceIncomplete(context, leg, category) : priceComplete(context, leg, category);
}
