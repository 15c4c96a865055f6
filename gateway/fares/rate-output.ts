/**
 * The `rate` command's output: the contract's JSON lines (every leg, then every
 * account's service-day totals, then every account total) or a readable table with
 * local times and the explanations under each leg.
 */
import { FareContext } from './fare-context.ts';
import type { FareFeed } from './fare-feed.ts';
import { formatMinorUnits } from './money.ts';
import type { RatedLeg, Rating } from './rating.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function legJson(leg: RatedLeg): string {
  return JSON.stringify({
    type: 'leg', account: leg.account, network: leg.network, from_stop: leg.fromStop, to_stop: leg.toStop, start: iso(leg.start), end: iso(leg.end),
    service_day: leg.serviceDay, status: leg.status, fare_product_id: leg.fareProductId, base_minor: leg.baseMinor, charge_minor: leg.chargeMinor,
    currency: leg.currency, explain: leg.explain,
  });
}

export function* ratingJsonLines(rating: Rating): Generator<string> {
  for (const account of rating.accounts) for (const leg of account.legs) yield legJson(leg);
  for (const account of rating.accounts) {
    for (const day of account.days) yield JSON.stringify({ type: 'day', account: account.account, service_day: day.serviceDay, total_minor: day.totalMinor, currency: account.currency });
  }
  for (const account of rating.accounts) yield JSON.stringify({ type: 'account', account: account.account, total_minor: account.totalMinor, currency: account.currency });
}

function localTime(feed: FareFeed, ms: number | null): string {
  if (ms === null) return '';
  return new Date(FareContext.of(feed).clock.wallTime(ms)).toISOString().slice(0, 16).replace('T', ' ');
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i >= cells.length - 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
}

export function* ratingTableLines(feed: FareFeed, rating: Rating): Generator<string> {
  const money = (minor: number): string => formatMinorUnits(minor, rating.currency).replace(` ${rating.currency}`, '');
  const stop = (id: string | null): string => (id === null ? '?' : (feed.stopNames.get(id) ?? id));
  yield `Times are local (${feed.timezone}); amounts in ${rating.currency}.`;
  for (const account of rating.accounts) {
    const rows = account.legs.map((leg) => [localTime(feed, leg.start), localTime(feed, leg.end).slice(11), feed.networkNames.get(leg.network) ?? leg.network, `${stop(leg.fromStop)} → ${stop(leg.toStop)}`, leg.status, money(leg.baseMinor), money(leg.chargeMinor)]);
    const header = ['start', 'end', 'network', 'journey', 'status', 'fare', 'charged'];
    const widths = header.map((name, i) => Math.max(name.length, ...rows.map((row) => row[i]!.length)));
    yield '';
    yield `Account ${account.account}`;
    yield pad(header, widths);
    for (const [i, row] of rows.entries()) {
      yield pad(row, widths);
      for (const line of account.legs[i]!.explain) yield `    · ${line}`;
    }
    for (const day of account.days) yield `  service day ${day.serviceDay}: ${money(day.totalMinor)}`;
    yield `  total: ${money(account.totalMinor)}`;
  }
}
