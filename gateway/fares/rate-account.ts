/**
 * Rates one account: its taps (any order) → legs → leg prices → sub-journeys →
 * caps → day and account totals. Pure: the same feed and taps always give the same
 * result, whatever order the taps come in.
 */
import { applyCaps } from './apply-caps.ts';
import { buildLegs } from './build-legs.ts';
import { FareContext } from './fare-context.ts';
import type { FareFeed } from './fare-feed.ts';
import { priceLeg } from './price-leg.ts';
import type { AccountRating, DayTotal, RatedLeg, SubJourney } from './rating.ts';
import { compareTaps, type Tap } from './tap.ts';
import { chainTransfers } from './transfer-chain.ts';
import { isoDay } from './zone-clock.ts';

export function rateAccount(feed: FareFeed, account: string, taps: readonly Tap[]): AccountRating {
  const context = FareContext.of(feed);
  const ordered = [...taps].sort(compareTaps);
  const priced = buildLegs(feed, ordered).map((draft) => priceLeg(context, draft));
  const chained = chainTransfers(context, priced);
  const capped = applyCaps(context, priced, chained.baseMinor, chained.subJourneyOf);
  const dayTotals = new Map<number, number>();
  const legs = priced.map((leg, i): RatedLeg => {
    const day = context.serviceDay(leg.draft.start);
    const charge = capped.chargeMinor[i]!;
    dayTotals.set(day, (dayTotals.get(day) ?? 0) + charge);
    const transfer = chained.transferExplain[i];
    return {
      account,
      network: leg.draft.network,
      fromStop: leg.draft.fromStop,
      toStop: leg.draft.toStop,
      start: leg.draft.start,
      end: leg.draft.end,
      serviceDay: isoDay(day),
      status: leg.status,
      fareProductId: leg.price?.fareProductId ?? null,
      category: leg.category,
      legGroupId: leg.rule ? leg.rule.legGroupId || null : null,
      baseMinor: chained.baseMinor[i]!,
      chargeMinor: charge,
      currency: feed.currency,
      explain: transfer === undefined ? [...leg.explain, ...capped.capExplain[i]!] : [...leg.explain, transfer, ...capped.capExplain[i]!],
      subJourney: chained.subJourneyOf[i] ?? null,
      tapRefs: leg.draft.taps.map((tap) => tap.ref),
    };
  });
  const subJourneys = chained.subJourneys.map((indexes): SubJourney => ({
    legs: indexes,
    costMinor: indexes.reduce((sum, i) => sum + legs[i]!.baseMinor, 0),
    chargeMinor: indexes.reduce((sum, i) => sum + legs[i]!.chargeMinor, 0),
  }));
  const days: DayTotal[] = [...dayTotals].sort((a, b) => a[0] - b[0]).map(([day, totalMinor]) => ({ serviceDay: isoDay(day), totalMinor }));
  return {
    account,
    legs,
    subJourneys,
    days,
    totalMinor: days.reduce((sum, day) => sum + day.totalMinor, 0),
    currency: feed.currency,
    capWindows: capped.windows,
  };
}
