/**
 * The `rate` command's output, written one account at a time so that nothing but the
 * totals is kept: the contract's JSON lines (every leg, then every account's
 * service-day totals, then every account total) or a readable table with local times
 * and the explanations under each leg.
 */
import { FareContext } from './fare-context.ts';
import type { FareFeed } from './fare-feed.ts';
import { formatMinorUnits } from './money.ts';
import type { AccountRating, RatedLeg } from './rating.ts';

export interface RatingWriter {
  account(rating: AccountRating): void;
  finish(): void;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function legJson(leg: RatedLeg): string {
  return JSON.stringify({
    type: 'leg', account: leg.account, network: leg.network, from_stop: leg.fromStop, to_stop: leg.toStop, start: iso(leg.start), end: iso(leg.end),
    service_day: leg.serviceDay, status: leg.status, fare_product_id: leg.fareProductId, base_minor: leg.baseMinor, charge_minor: leg.chargeMinor,
    currency: leg.currency, explain: leg.explain,
  });
}

/** Leg lines as accounts come; day and account lines (kept as short strings) at the end. */
export function jsonLinesWriter(write: (line: string) => void): RatingWriter {
  const days: string[] = [];
  const totals: string[] = [];
  return {
    account(rating) {
      for (const leg of rating.legs) write(legJson(leg));
      for (const day of rating.days) days.push(JSON.stringify({ type: 'day', account: rating.account, service_day: day.serviceDay, total_minor: day.totalMinor, currency: rating.currency }));
      totals.push(JSON.stringify({ type: 'account', account: rating.account, total_minor: rating.totalMinor, currency: rating.currency }));
    },
    finish() {
      for (const line of days) write(line);
      for (const line of totals) write(line);
    },
  };
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i >= cells.length - 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
}

/** A block per account: its legs with their explanations, its service days and its total. */
export function tableWriter(feed: FareFeed, write: (line: string) => void): RatingWriter {
  const clock = FareContext.of(feed).clock;
  const local = (ms: number | null): string => (ms === null ? '' : new Date(clock.wallTime(ms)).toISOString().slice(0, 16).replace('T', ' '));
  const money = (minor: number): string => formatMinorUnits(minor, feed.currency).replace(` ${feed.currency}`, '');
  const stop = (id: string | null): string => (id === null ? '?' : (feed.stopNames.get(id) ?? id));
  write(`Times are local (${feed.timezone}); amounts in ${feed.currency}.`);
  return {
    account(rating) {
      const rows = rating.legs.map((leg) => [local(leg.start), local(leg.end).slice(11), feed.networkNames.get(leg.network) ?? leg.network, `${stop(leg.fromStop)} → ${stop(leg.toStop)}`, leg.status, money(leg.baseMinor), money(leg.chargeMinor)]);
      const header = ['start', 'end', 'network', 'journey', 'status', 'fare', 'charged'];
      const widths = header.map((name, i) => Math.max(name.length, ...rows.map((row) => row[i]!.length)));
      write('');
      write(`Account ${rating.account}`);
      write(pad(header, widths));
      rows.forEach((row, i) => {
        write(pad(row, widths));
        for (const line of rating.legs[i]!.explain) write(`    · ${line}`);
      });
      for (const day of rating.days) write(`  service day ${day.serviceDay}: ${money(day.totalMinor)}`);
      write(`  total: ${money(rating.totalMinor)}`);
    },
    finish() {},
  };
}
