/**
 * Rates one account: its taps (any order) → legs → leg prices → sub-journeys →
 * caps → day and account totals. Pure: the same feed and taps always give the same
 * result, whatever order the taps come in.
 */
import { applyCaps } from './apply-caps.ts';
import { buildLegs } from './build-legs.ts';
import { FareContext } from './fare-context.ts';
import type { FareFeed } from './fare-feed.ts';
import { priceLeg, type PricedLeg } from './price-leg.ts';
import type { AccountRating, DayTotal, RatedLeg, SubJourney } from './rating.ts';
import { compareTaps, type Tap } from './tap.ts';
import { chainTransfers } from './transfer-chain.ts';

function explainOf(leg: PricedLeg, transfer: string | undefined, caps: string[] | undefined): string[] {
  const lines = [leg.sentence];
  if (transfer !== undefined) lines.push(transfer);
  if (caps !== undefined) lines.push(...caps);
  return lines;
}

function tapRefs(leg: PricedLeg): number[] {
  const refs: number[] = [];
  for (const tap of leg.draft.taps) refs.push(tap.ref);
  return refs;
}

export function rateAccount(feed: FareFeed, account: string, taps: readonly Tap[]): AccountRating {
  const context = FareContext.of(feed);
  const drafts = buildLegs(feed, [...taps].sort(compareTaps));
  const priced: PricedLeg[] = [];
  const serviceDays: number[] = [];
  for (const draft of drafts) {
    priced.push(priceLeg(context, draft));
    serviceDays.push(context.serviceDay(draft.start));
  }
  const chained = chainTransfers(context, priced);
  const capped = applyCaps(context, priced, serviceDays, chained.baseMinor, chained.subJourneyOf);
  const legs: RatedLeg[] = [];
  const days: DayTotal[] = [];
  let total = 0;
  for (let i = 0; i < priced.length; i++) {
    const leg = priced[i]!;
    const { draft } = leg;
    const charge = capped.chargeMinor[i]!;
    const serviceDay = context.dayLabel(serviceDays[i]!);
    // Legs are in time order, so service days only move forward.
    const today = days[days.length - 1];
    if (today && today.serviceDay === serviceDay) today.totalMinor += charge;
    else days.push({ serviceDay, totalMinor: charge });
    total += charge;
    legs.push({
      account,
      network: draft.network,
      fromStop: draft.fromStop,
      toStop: draft.toStop,
      start: draft.start,
      end: draft.end,
      serviceDay,
      status: leg.status,
      fareProductId: leg.price?.fareProductId ?? null,
      category: leg.category,
      legGroupId: leg.rule ? leg.rule.legGroupId || null : null,
      baseMinor: chained.baseMinor[i]!,
      chargeMinor: charge,
      currency: feed.currency,
      explain: explainOf(leg, chained.transferExplain[i], capped.capExplain[i]),
      subJourney: chained.subJourneyOf[i] ?? null,
      tapRefs: tapRefs(leg),
    });
  }
  const subJourneys: SubJourney[] = [];
  for (const indexes of chained.subJourneys) {
    let costMinor = 0;
    let chargeMinor = 0;
    for (const i of indexes) {
      costMinor += legs[i]!.baseMinor;
      chargeMinor += legs[i]!.chargeMinor;
    }
    subJourneys.push({ legs: indexes, costMinor, chargeMinor });
  }
  return { account, legs, subJourneys, days, totalMinor: total, currency: feed.currency, capWindows: capped.windows };
}
