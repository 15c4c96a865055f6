/**
 * The settlement of one service day, per agency: account charges (the current version of
 * every account-day rating), ticket revenue apportioned by use (apportion.ts), counts;
 * and the reconciliation, per device: the seq range of the records made that day against
 * what the ledger received, the open gaps, declared losses, conflicting records and late
 * arrivals — so an operator sees how complete the figures are before signing them off.
 */
import type { FareFeed } from '../fares/fares-api.ts';
import type { TicketUse } from '../ledger/clearing-store.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { apportion } from './apportion.ts';
import { serviceDayBounds } from './clearing-places.ts';

export interface AgencySettlement {
  agency: string;
  agencyName: string;
  currency: string;
  accountChargesMinor: number;
  accountLegs: number;
  accounts: number;
  ticketRevenueMinor: number;
  ticketEntries: number;
  tickets: number;
  totalMinor: number;
}

export type SeqRange = [fromSeq: number, toSeq: number];

export interface DeviceReconciliation {
  device: string;
  /** Seq range of the records the device made this service day (null: none received). */
  firstSeq: number | null;
  lastSeq: number | null;
  expected: number;
  received: number;
  /** Open gaps inside that range: records still to come. */
  missing: SeqRange[];
  /** Every open gap of the device, whatever day it is from. */
  openGaps: SeqRange[];
  /** Losses the device declared inside that range (they will never come). */
  declaredLosses: Array<{ fromSeq: number; toSeq: number; reason: string }>;
  /** Records refused because their seq was stored with other content, made this day. */
  conflicts: number;
  lateArrivals: number;
  lateMaxDelayMs: number | null;
}

export interface DaySettlement {
  serviceDay: string;
  from: string;
  until: string;
  generatedAt: string;
  agencies: AgencySettlement[];
  /** Entries of tickets not issued here or issued without a price: not in the revenue above. */
  unpricedTicketEntries: number;
  /** True while a pass used this day is still valid: its share per entry can still fall. */
  provisional: boolean;
  reconciliation: { devices: DeviceReconciliation[] };
}

const overlaps = (a: SeqRange, from: number, to: number): boolean => a[0] <= to && a[1] >= from;

export async function buildSettlement(ledger: Ledger, feed: FareFeed, serviceDay: string, now: number): Promise<DaySettlement> {
  const { from, until } = serviceDayBounds(feed, serviceDay);
  const rows = new Map<string, AgencySettlement>();
  const row = (agency: string, currency: string): AgencySettlement => {
    const key = `${agency}\u0000${currency}`;
    let entry = rows.get(key);
    if (!entry) {
      entry = { agency, agencyName: feed.agencyNames.get(agency) ?? agency, currency, accountChargesMinor: 0, accountLegs: 0, accounts: 0, ticketRevenueMinor: 0, ticketEntries: 0, tickets: 0, totalMinor: 0 };
      rows.set(key, entry);
    }
    return entry;
  };
  for (const total of await ledger.chargeTotals(serviceDay)) {
    Object.assign(row(total.agency, total.currency), { accountChargesMinor: total.chargedMinor, accountLegs: total.legs, accounts: total.accounts });
  }
  const tickets = await ticketRevenue(ledger, serviceDay, now);
  for (const share of tickets.shares) {
    const entry = row(share.agency, share.currency);
    entry.ticketRevenueMinor += share.shareMinor;
    entry.ticketEntries++;
  }
  for (const [key, ids] of tickets.ticketsByRow) rows.get(key)!.tickets = ids.size;
  const agencies = [...rows.values()].sort((a, b) => (a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : a.currency < b.currency ? -1 : 1));
  for (const entry of agencies) entry.totalMinor = entry.accountChargesMinor + entry.ticketRevenueMinor;
  return {
    serviceDay,
    from: new Date(from).toISOString(),
    until: new Date(until).toISOString(),
    generatedAt: new Date(now).toISOString(),
    agencies,
    unpricedTicketEntries: tickets.unpriced,
    provisional: tickets.provisional,
    reconciliation: { devices: await reconcile(ledger, from, until) },
  };
}

async function ticketRevenue(ledger: Ledger, serviceDay: string, now: number) {
  const byTicket = new Map<string, TicketUse[]>();
  for (const use of await ledger.usesOfTicketsUsedOn(serviceDay)) byTicket.set(use.ticketId, [...(byTicket.get(use.ticketId) ?? []), use]);
  const shares: Array<{ agency: string; currency: string; shareMinor: number }> = [];
  const ticketsByRow = new Map<string, Set<string>>();
  let unpriced = 0;
  let provisional = false;
  for (const [ticketId, uses] of byTicket) {
    const ticket = await ledger.getIssuedTicket(ticketId);
    const today = (use: TicketUse): boolean => use.serviceDay === serviceDay && use.direction === 'in';
    const apportioned = ticket === null ? [] : apportion(ticket, uses);
    if (apportioned.length === 0) {
      unpriced += uses.filter(today).length;
      continue;
    }
    if (ticket!.product !== 'single' && ticket!.exp * 1000 > now) provisional = true;
    for (const { use, shareMinor, currency } of apportioned.filter((a) => today(a.use))) {
      shares.push({ agency: use.agency, currency, shareMinor });
      const key = `${use.agency}\u0000${currency}`;
      ticketsByRow.set(key, (ticketsByRow.get(key) ?? new Set()).add(ticketId));
    }
  }
  return { shares, ticketsByRow, unpriced, provisional };
}

async function reconcile(ledger: Ledger, from: number, until: number): Promise<DeviceReconciliation[]> {
  const ranges = new Map((await ledger.deviceRanges(from, until)).map((r) => [r.device, r]));
  const late = new Map((await ledger.lateSummary(from, until)).map((l) => [l.device, l]));
  const gaps = await ledger.gaps();
  const losses = await ledger.losses();
  const devices = new Set([...ranges.keys(), ...gaps.map((g) => g.device), ...(await ledger.listDevices()).map((d) => d.id)]);
  const result: DeviceReconciliation[] = [];
  for (const device of [...devices].sort()) {
    const range = ranges.get(device);
    const openGaps = gaps.filter((g) => g.device === device).map((g): SeqRange => [g.fromSeq, g.toSeq]);
    const inRange = (r: SeqRange): boolean => range !== undefined && overlaps(r, range.firstSeq, range.lastSeq);
    const conflicts = range === undefined ? [] : await ledger.conflicts({ device, limit: 10_000 });
    result.push({
      device,
      firstSeq: range?.firstSeq ?? null,
      lastSeq: range?.lastSeq ?? null,
      expected: range === undefined ? 0 : range.lastSeq - range.firstSeq + 1,
      received: range?.received ?? 0,
      missing: openGaps.filter(inRange),
      openGaps,
      declaredLosses: losses
        .filter((l) => l.device === device && inRange([l.fromSeq, l.toSeq]))
        .map((l) => ({ fromSeq: l.fromSeq, toSeq: l.toSeq, reason: l.reason })),
      conflicts: conflicts.filter((c) => c.stored.at >= from && c.stored.at < until).length,
      lateArrivals: late.get(device)?.count ?? 0,
      lateMaxDelayMs: late.get(device)?.maxDelayMs ?? null,
    });
  }
  return result;
}
