/**
 * A day's settlement as CSV (RFC 4180, CRLF): two blocks, each with its own header and a
 * first column naming the block — `agency` rows, a blank line, then `device` rows of the
 * reconciliation. Seq ranges are written `from-to`, several joined by `;`.
 */
import type { DaySettlement, SeqRange } from './settlement.ts';

function field(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (values: Array<string | number | boolean | null>): string => values.map(field).join(',');
const ranges = (list: readonly SeqRange[]): string => list.map(([from, to]) => `${from}-${to}`).join(';');

export function settlementCsv(settlement: DaySettlement): string {
  const day = settlement.serviceDay;
  const lines = [
    line(['section', 'service_day', 'agency', 'agency_name', 'currency', 'account_charges_minor', 'account_legs', 'accounts', 'ticket_revenue_minor', 'ticket_entries', 'tickets', 'total_minor', 'provisional']),
    ...settlement.agencies.map((a) =>
      line(['agency', day, a.agency, a.agencyName, a.currency, a.accountChargesMinor, a.accountLegs, a.accounts, a.ticketRevenueMinor, a.ticketEntries, a.tickets, a.totalMinor, settlement.provisional]),
    ),
    '',
    line(['section', 'service_day', 'device', 'first_seq', 'last_seq', 'expected', 'received', 'missing', 'open_gaps', 'declared_losses', 'conflicts', 'late_arrivals', 'late_max_delay_ms']),
    ...settlement.reconciliation.devices.map((d) =>
      line([
        'device', day, d.device, d.firstSeq, d.lastSeq, d.expected, d.received, ranges(d.missing), ranges(d.openGaps),
        ranges(d.declaredLosses.map((l): SeqRange => [l.fromSeq, l.toSeq])), d.conflicts, d.lateArrivals, d.lateMaxDelayMs,
      ]),
    ),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
