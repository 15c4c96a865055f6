/**
 * Ticket revenue apportioned by use: a single's or a pass's price is split over its
 * entries (exits are not uses: a metro ride would otherwise weigh twice a bus ride), in
 * whole minor units: each entry gets the price divided by the number of entries, the
 * remainder one unit each to the earliest entries, so the shares always sum to the
 * price exactly. A pass still valid can gain entries, which lowers the share of the
 * earlier ones: its figures are final once it has expired.
 */
import type { TicketUse } from '../ledger/clearing-store.ts';
import type { StoredTicket } from '../ledger/ledger.ts';

export interface ApportionedUse {
  use: TicketUse;
  shareMinor: number;
  currency: string;
}

/** The entries of one ticket (in time order) with their shares; none when the ticket has no price. */
export function apportion(ticket: Pick<StoredTicket, 'priceMinor' | 'currency'>, uses: readonly TicketUse[]): ApportionedUse[] {
  const entries = uses.filter((use) => use.direction === 'in');
  if (ticket.priceMinor === undefined || ticket.currency === undefined || entries.length === 0) return [];
  const base = Math.floor(ticket.priceMinor / entries.length);
  const remainder = ticket.priceMinor - base * entries.length;
  return entries.map((use, i) => ({ use, shareMinor: base + (i < remainder ? 1 : 0), currency: ticket.currency! }));
}
