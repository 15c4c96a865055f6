/**
 * Where a journal record happened in the fare feed's terms: the gate's GTFS stop_id
 * and network_id (from the device registry: a gate's `fareStop`/`fareNetwork`, else its
 * station and mode), the service day, and the agency a network's revenue goes to.
 */
import { FareContext } from '../fares/fare-context.ts';
import type { FareFeed, Tap } from '../fares/fares-api.ts';
import type { Device } from '../ledger/ledger.ts';
import type { JournalRecord, TapRecord } from '../../protocol/uplink/tap-record.ts';

export interface GatePlace {
  stop: string;
  network: string;
}

/** A gate's place: its registered fare stop and network, else the station and mode the record carries. */
export function placeOf(record: Pick<JournalRecord, 'station' | 'mode'>, device: Pick<Device, 'fareStop' | 'fareNetwork'> | undefined): GatePlace {
  return { stop: device?.fareStop ?? record.station, network: device?.fareNetwork ?? record.mode };
}

/** An accepted tap of an account ticket: what clearing rates. */
export function isAccountTap(record: JournalRecord): record is TapRecord & { ticketId: string } {
  return record.kind === 'tap' && record.decision === 'accept' && record.product === 'account' && record.ticketId !== undefined;
}

/** An accepted tap of a single or a pass: a use its revenue is apportioned by. */
export function isTicketUse(record: JournalRecord): record is TapRecord & { ticketId: string } {
  return record.kind === 'tap' && record.decision === 'accept' && record.product !== 'account' && record.product !== undefined && record.ticketId !== undefined;
}

/** The tap rating sees; `ref` indexes the caller's list of records. */
export function tapOf(record: TapRecord & { ticketId: string }, place: GatePlace, ref: number): Tap {
  return {
    time: record.at,
    account: record.ticketId,
    stop: place.stop,
    network: place.network,
    route: '',
    direction: record.direction === 'entry' ? 'in' : 'out',
    category: record.fareClass ?? '',
    media: '',
    ref,
  };
}

/** The service day (YYYY-MM-DD) of an instant under the feed's service_day_start and time zone. */
export function serviceDayOf(feed: FareFeed, ms: number): string {
  const context = FareContext.of(feed);
  return context.dayLabel(context.serviceDay(ms));
}

/** The instants [from, until) of a service day given as YYYY-MM-DD. */
export function serviceDayBounds(feed: FareFeed, day: string): { from: number; until: number } {
  const context = FareContext.of(feed);
  const number = Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
  return { from: context.dayStart(number), until: context.dayStart(number + 1) };
}

const agencyMemo = new WeakMap<FareFeed, Map<string, string>>();

/**
 * The agency a network's revenue goes to: the agency of its routes when they all have
 * the same one; otherwise (no routes, or shared by agencies) the network id itself, so
 * the settlement still shows the money under a name an operator recognises.
 */
export function agencyOf(feed: FareFeed, network: string): string {
  let memo = agencyMemo.get(feed);
  if (!memo) {
    memo = new Map();
    const seen = new Map<string, Set<string>>();
    for (const [route, net] of feed.routeNetwork) {
      const agency = feed.routeAgency.get(route);
      if (agency === undefined || agency === '') continue;
      seen.set(net, (seen.get(net) ?? new Set()).add(agency));
    }
    for (const [net, agencies] of seen) if (agencies.size === 1) memo.set(net, [...agencies][0]!);
    agencyMemo.set(feed, memo);
  }
  return memo.get(network) ?? network;
}
