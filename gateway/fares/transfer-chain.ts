/**
 * Transfers (fare_transfer_rules.txt) join an account's priced legs into
 * sub-journeys, in time order. A leg joins the open sub-journey when a rule links the
 * previous leg's group to its own, the rule's transfer_count admits one more transfer
 * (of several, the smallest count that does; −1 = unlimited), and the leg falls within
 * duration_limit measured from the sub-journey's FIRST leg (the contract's bus
 * hopper), using departure/arrival as duration_limit_type says. Each leg's base is
 * what it adds to the sub-journey's cost: type 0 (A + AB) adds AB, type 1 (A + AB + B)
 * adds AB + B, type 2 (AB) adds AB minus the cost so far, which may be negative.
 * Incomplete, cancelled and unrated legs stand alone and do not break a sub-journey.
 */
import type { FareContext } from './fare-context.ts';
import type { TransferRule } from './fare-feed.ts';
import { priceFor } from './fare-prices.ts';
import { formatMinorUnits } from './money.ts';
import type { PricedLeg } from './price-leg.ts';

export interface Chained {
  /** Per leg: its sub-journey (index into `subJourneys`) or null. */
  subJourneyOf: Array<number | null>;
  /** Per leg: what it adds to its sub-journey before caps. */
  baseMinor: number[];
  /** Per leg: the transfer sentence, when a transfer rule priced it. */
  transferExplain: Array<string | undefined>;
  subJourneys: number[][];
}

interface OpenSubJourney {
  index: number;
  first: PricedLeg;
  last: PricedLeg;
  transfers: number;
  costMinor: number;
}

const EVENT_WORDS = ['entry', 'entry', 'exit', 'exit'] as const;

function groupMatches(ruleGroup: string, legGroup: string, listed: ReadonlySet<string>): boolean {
  if (legGroup === '') return false;
  return ruleGroup === '' ? !listed.has(legGroup) : ruleGroup === legGroup;
}

/** Seconds the rule measures, or undefined when a time it needs is unknown (no exit tap). */
function measured(rule: TransferRule, first: PricedLeg, next: PricedLeg): number | undefined {
  const type = rule.durationLimitType ?? 0;
  const from = type <= 1 ? first.draft.start : first.draft.end;
  const to = type === 1 || type === 2 ? next.draft.start : next.draft.end;
  return from === null || to === null ? undefined : (to - from) / 1000;
}

interface Candidate {
  rule: TransferRule;
  incrementMinor: number;
  transferMinor: number;
  transferName: string;
}

function candidate(context: FareContext, open: OpenSubJourney, leg: PricedLeg, rule: TransferRule): Candidate | undefined {
  const { feed } = context;
  const fromGroup = open.last.rule?.legGroupId ?? '';
  if (!groupMatches(rule.fromLegGroupId, fromGroup, feed.listed.fromLegGroups)) return undefined;
  if (!groupMatches(rule.toLegGroupId, leg.rule?.legGroupId ?? '', feed.listed.toLegGroups)) return undefined;
  const count = rule.transferCount;
  if (count !== undefined && count !== -1 && count < open.transfers + 1) return undefined;
  if (rule.durationLimitSeconds !== undefined) {
    const seconds = measured(rule, open.first, leg);
    if (seconds === undefined || seconds < 0 || seconds > rule.durationLimitSeconds) return undefined;
  }
  const price = rule.fareProductId === '' ? undefined : priceFor(feed, rule.fareProductId, leg.category, leg.draft.media);
  if (rule.fareProductId !== '' && !price) return undefined;
  const transferMinor = price?.amountMinor ?? 0;
  const incrementMinor =
    rule.fareTransferType === 0 ? transferMinor : rule.fareTransferType === 1 ? transferMinor + leg.amountMinor : transferMinor - open.costMinor;
  return { rule, incrementMinor, transferMinor, transferName: price?.fareProductName ?? 'a free transfer' };
}

const countRank = (rule: TransferRule): number => (rule.transferCount === undefined || rule.transferCount === -1 ? Infinity : rule.transferCount);

function bestCandidate(context: FareContext, open: OpenSubJourney, leg: PricedLeg): Candidate | undefined {
  let best: Candidate | undefined;
  for (const rule of context.feed.transferRules) {
    const found = candidate(context, open, leg, rule);
    if (!found) continue;
    if (!best || countRank(found.rule) - countRank(best.rule) < 0 || (countRank(found.rule) === countRank(best.rule) && found.incrementMinor < best.incrementMinor)) best = found;
  }
  return best;
}

function describe(context: FareContext, open: OpenSubJourney, leg: PricedLeg, chosen: Candidate): string {
  const { rule } = chosen;
  const money = (minor: number): string => formatMinorUnits(minor, context.feed.currency);
  const limit =
    rule.durationLimitSeconds === undefined
      ? 'no time limit'
      : `within ${Math.floor(rule.durationLimitSeconds / 60)} minutes of the first leg's ${EVENT_WORDS[rule.durationLimitType ?? 0]} at ${localTime(context, rule.durationLimitType! <= 1 ? open.first.draft.start : open.first.draft.end!)}`;
  const what =
    rule.fareTransferType === 0
      ? chosen.transferMinor === 0
        ? 'the transfer is free'
        : `instead of this leg's own fare you pay ${chosen.transferName} (${money(chosen.transferMinor)})`
      : rule.fareTransferType === 1
        ? `this leg's fare plus ${chosen.transferName} (${money(chosen.transferMinor)})`
        : `the whole journey so far costs ${chosen.transferName} (${money(chosen.transferMinor)}), less the ${money(open.costMinor)} of its earlier legs`;
  return `Transfer ${open.transfers + 1} of this journey, ${limit}: ${what}; this leg adds ${money(chosen.incrementMinor)} (transfer rule on line ${rule.line} of fare_transfer_rules.txt)`;
}

function localTime(context: FareContext, ms: number): string {
  const seconds = context.clock.secondsOfDay(ms);
  return `${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}`;
}

export function chainTransfers(context: FareContext, legs: readonly PricedLeg[]): Chained {
  const chained: Chained = { subJourneyOf: [], baseMinor: [], transferExplain: [], subJourneys: [] };
  const anyRules = context.feed.transferRules.length > 0;
  let open: OpenSubJourney | undefined;
  for (let i = 0; i < legs.length; i++) {
    const leg = legs[i]!;
    if (leg.status !== 'complete') {
      chained.subJourneyOf.push(null);
      chained.baseMinor.push(leg.amountMinor);
      chained.transferExplain.push(undefined);
      continue;
    }
    const chosen = open && anyRules ? bestCandidate(context, open, leg) : undefined;
    if (open && chosen) {
      chained.transferExplain.push(describe(context, open, leg, chosen));
      open.transfers++;
      open.costMinor += chosen.incrementMinor;
      open.last = leg;
      chained.subJourneys[open.index]!.push(i);
      chained.subJourneyOf.push(open.index);
      chained.baseMinor.push(chosen.incrementMinor);
      continue;
    }
    open = { index: chained.subJourneys.length, first: leg, last: leg, transfers: 0, costMinor: leg.amountMinor };
    chained.subJourneys.push([i]);
    chained.subJourneyOf.push(open.index);
    chained.baseMinor.push(leg.amountMinor);
    chained.transferExplain.push(undefined);
  }
  return chained;
}
