/**
 * Caps from fare_policy.json, applied to an account's legs in time order. For each
 * leg, every cap whose networks include the leg's network and whose period holds the
 * leg's start limits the charge to what is left of that cap, narrowest cap first;
 * what the leg is charged then counts against every one of them. Periods: the service
 * day, the calendar week (Monday to Sunday in service days), or a rolling window of N
 * × 24 h opened by the first charge that no open window covers. Incomplete-journey
 * charges are never capped nor counted. A negative base (a type-2 transfer refunding
 * earlier legs) gives back no more than those legs actually paid after caps.
 */
import type { FareContext } from './fare-context.ts';
import type { CapPolicy, FarePrice } from './fare-feed.ts';
import { formatMinorUnits } from './money.ts';
import type { PricedLeg } from './price-leg.ts';
import type { CapWindow } from './rating.ts';
import { mondayOf } from './zone-clock.ts';

const DAY_MS = 86_400_000;

export interface CapResult {
  chargeMinor: number[];
  /** Per leg: a sentence for each cap that changed its amount. */
  capExplain: Array<string[] | undefined>;
  windows: CapWindow[];
}

interface WindowState {
  /** Service day (or Monday) number for fixed periods; the opening instant for rolling ones. */
  key: number;
  from: number;
  until: number;
  spentMinor: number;
  label: string;
}

/** Each cap's current window. Legs come in time order, so a cap's windows only move forward. */
class CapWindows {
  private readonly current: Array<WindowState | undefined>;
  readonly all: Array<{ capId: string; window: WindowState }> = [];

  constructor(private readonly context: FareContext) {
    this.current = context.feed.caps.map(() => undefined);
  }

  /** The window of cap `index` holding a leg that starts at `start` on service day `day`; opens a rolling one when `opens`. */
  windowFor(index: number, cap: CapPolicy, start: number, day: number, opens: boolean): WindowState | undefined {
    const last = this.current[index];
    if (cap.period === 'rolling') {
      if (last && start < last.until) return last;
      if (!opens) return undefined;
      return this.open(index, cap, { key: start, from: start, until: start + cap.days * DAY_MS, spentMinor: 0, label: `${cap.days}-day cap from ${new Date(start).toISOString()}` });
    }
    const first = cap.period === 'week' ? mondayOf(day) : day;
    if (last && last.key === first) return last;
    const label = cap.period === 'week' ? `weekly cap for the week of ${this.context.dayLabel(first)}` : `daily cap for ${this.context.dayLabel(first)}`;
    return this.open(index, cap, { key: first, from: this.context.dayStart(first), until: this.context.dayStart(first + cap.days), spentMinor: 0, label });
  }

  private open(index: number, cap: CapPolicy, window: WindowState): WindowState {
    this.current[index] = window;
    this.all.push({ capId: cap.capId, window });
    return window;
  }
}

function capNote(limit: FarePrice, window: WindowState, left: number, charge: number): string {
  const money = (minor: number): string => formatMinorUnits(minor, limit.currency);
  const effect = left === 0 ? 'already reached, so this leg is free' : `only ${money(left)} left, so this leg costs ${money(left)} instead of ${money(charge)}`;
  return `${limit.fareProductName} (${window.label}, ${money(limit.amountMinor)}): ${effect}`;
}

export function applyCaps(context: FareContext, legs: readonly PricedLeg[], serviceDays: readonly number[], baseMinor: readonly number[], subJourneyOf: ReadonlyArray<number | null>): CapResult {
  const { feed } = context;
  const caps = feed.caps;
  const windows = new CapWindows(context);
  const result: CapResult = { chargeMinor: [], capExplain: [], windows: [] };
  const absorbed = new Map<number, number>();
  const applying: WindowState[] = [];
  for (let i = 0; i < legs.length; i++) {
    const leg = legs[i]!;
    const base = baseMinor[i]!;
    const sub = subJourneyOf[i];
    if (leg.status !== 'complete' || sub === null || sub === undefined || caps.length === 0) {
      result.chargeMinor.push(base);
      result.capExplain.push(undefined);
      continue;
    }
    let notes: string[] | undefined;
    const absorbedBefore = absorbed.get(sub) ?? 0;
    let charge = base < 0 ? Math.min(0, base + absorbedBefore) : base;
    if (charge !== base) notes = [`Caps already took ${formatMinorUnits(absorbedBefore, feed.currency)} off the earlier legs of this journey, so the refund is ${formatMinorUnits(-charge, feed.currency)}`];
    applying.length = 0;
    const limits = context.capLimits(leg.category, leg.draft.media);
    for (let c = 0; c < caps.length; c++) {
      const cap = caps[c]!;
      if (!cap.networks.includes(leg.draft.network)) continue;
      const limit = limits[c];
      if (!limit) continue;
      const window = windows.windowFor(c, cap, leg.draft.start, serviceDays[i]!, charge > 0);
      if (!window) continue;
      applying.push(window);
      const left = Math.max(0, limit.amountMinor - window.spentMinor);
      if (charge > left) {
        (notes ??= []).push(capNote(limit, window, left, charge));
        charge = left;
      }
    }
    for (const window of applying) window.spentMinor += charge;
    if (base !== charge || absorbedBefore !== 0) absorbed.set(sub, absorbedBefore + (base - charge));
    result.chargeMinor.push(charge);
    result.capExplain.push(notes);
  }
  result.windows = windows.all.map(({ capId, window }) => ({ capId, from: window.from, until: window.until, spentMinor: window.spentMinor }));
  return result;
}
