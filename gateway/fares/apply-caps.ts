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
import type { CapPolicy } from './fare-feed.ts';
import { priceFor } from './fare-prices.ts';
import { formatMinorUnits } from './money.ts';
import type { PricedLeg } from './price-leg.ts';
import type { CapWindow } from './rating.ts';
import { isoDay, mondayOf } from './zone-clock.ts';

const DAY_MS = 86_400_000;

export interface CapResult {
  chargeMinor: number[];
  capExplain: string[][];
  windows: CapWindow[];
}

interface WindowState {
  cap: CapPolicy;
  from: number;
  until: number;
  spentMinor: number;
  label: string;
}

export class CapLedger {
  private readonly windows = new Map<string, WindowState>();
  /** Per cap: the last rolling window opened. */
  private readonly rolling = new Map<string, WindowState>();

  constructor(private readonly context: FareContext) {}

  /** The window of `cap` holding a leg that starts at `start`; opens a rolling one when `opens`. */
  windowFor(cap: CapPolicy, start: number, opens: boolean): WindowState | undefined {
    const { context } = this;
    if (cap.period === 'rolling') {
      const last = this.rolling.get(cap.capId);
      if (last && start >= last.from && start < last.until) return last;
      if (!opens) return undefined;
      const window = { cap, from: start, until: start + cap.days * DAY_MS, spentMinor: 0, label: `${cap.days}-day cap from ${new Date(start).toISOString()}` };
      this.rolling.set(cap.capId, window);
      this.windows.set(`${cap.capId} ${start}`, window);
      return window;
    }
    const day = context.serviceDay(start);
    const first = cap.period === 'week' ? mondayOf(day) : day;
    const key = `${cap.capId} ${first}`;
    let window = this.windows.get(key);
    if (!window) {
      const boundary = (d: number): number => context.clock.instantOf(d * DAY_MS + context.feed.serviceDayStartMinutes * 60_000);
      const label = cap.period === 'week' ? `weekly cap for the week of ${isoDay(first)}` : `daily cap for ${isoDay(first)}`;
      window = { cap, from: boundary(first), until: boundary(first + cap.days), spentMinor: 0, label };
      this.windows.set(key, window);
    }
    return window;
  }

  used(): CapWindow[] {
    return [...this.windows.values()].map((w) => ({ capId: w.cap.capId, from: w.from, until: w.until, spentMinor: w.spentMinor }));
  }
}

export function applyCaps(context: FareContext, legs: readonly PricedLeg[], baseMinor: readonly number[], subJourneyOf: ReadonlyArray<number | null>): CapResult {
  const { feed } = context;
  const ledger = new CapLedger(context);
  const chargeMinor: number[] = [];
  const capExplain: string[][] = [];
  const absorbed = new Map<number, number>();
  const money = (minor: number): string => formatMinorUnits(minor, feed.currency);
  legs.forEach((leg, i) => {
    const base = baseMinor[i]!;
    const notes: string[] = [];
    capExplain.push(notes);
    const sub = subJourneyOf[i];
    if (leg.status !== 'complete' || sub === null || sub === undefined) {
      chargeMinor.push(base);
      return;
    }
    const absorbedBefore = absorbed.get(sub) ?? 0;
    let charge = base < 0 ? Math.min(0, base + absorbedBefore) : base;
    if (charge !== base) notes.push(`Caps already took ${money(absorbedBefore)} off the earlier legs of this journey, so the refund is ${money(-charge)}`);
    const applying: WindowState[] = [];
    for (const cap of feed.caps) {
      if (!cap.networks.includes(leg.draft.network)) continue;
      const limit = priceFor(feed, cap.fareProductId, leg.category, leg.draft.media);
      if (!limit) continue;
      const window = ledger.windowFor(cap, leg.draft.start, charge > 0);
      if (!window) continue;
      applying.push(window);
      const left = Math.max(0, limit.amountMinor - window.spentMinor);
      if (charge > left) {
        notes.push(`${limit.fareProductName} (${window.label}, ${money(limit.amountMinor)}): ${left === 0 ? 'already reached, so this leg is free' : `only ${money(left)} left, so this leg costs ${money(left)} instead of ${money(charge)}`}`);
        charge = left;
      }
    }
    for (const window of applying) window.spentMinor += charge;
    absorbed.set(sub, absorbedBefore + (base - charge));
    chargeMinor.push(charge);
  });
  return { chargeMinor, capExplain, windows: ledger.used() };
}
