/**
 * Clearing's check of what got through where the gates' rules say no: a single ticket
 * accepted at two entries, or another ticket accepted twice at one station within the
 * anti-passback time. Gates share accepts within their station and remember them across
 * restarts, but with the uplink down each gate decides alone, and different stations
 * never share. Each slip is a log line (both taps, never the ticket id) and a metric.
 *
 * The memory of recent accepted entries is in this process (bounded, oldest first out):
 * a slip whose two taps straddle a gateway restart is not seen.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { JournalRecord, TapRecord } from '../../protocol/uplink/tap-record.ts';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';

interface Entry {
  device: string;
  seq: number;
  station: string;
  at: number;
}

export const PASSBACK_SLIP_MEMORY = 200_000;
/** More entries than this for one ticket are not kept (a ticket shared by a crowd is flagged long before). */
const MAX_ENTRIES_PER_TICKET = 8;

export type SlipRule = 'single_use' | 'passback';

export class PassbackSlips {
  private readonly entries = new LRUCache<string, Entry[]>({ max: PASSBACK_SLIP_MEMORY });

  constructor(
    /** `singles: false` leaves reused singles to fare clearing (gateway/clearing), which flags them from the ledger. */
    private readonly options: { passbackSeconds: () => number; singles: boolean },
    private readonly metrics: Pick<GatewayMetrics, 'passbackSlips'>,
    private readonly logger: Logger,
  ) {}

  /** Committed records (re-sent ones included: a tap already seen is skipped). Returns the slips found. */
  observe(records: readonly JournalRecord[]): number {
    let slips = 0;
    for (const record of records) {
      if (record.kind !== 'tap' || record.decision !== 'accept' || record.direction !== 'entry' || record.ticketId === undefined) continue;
      if (this.observeEntry(record)) slips++;
    }
    return slips;
  }

  private observeEntry(tap: TapRecord): boolean {
    const ticketId = tap.ticketId!;
    const seen = this.entries.get(ticketId) ?? [];
    if (seen.some((entry) => entry.device === tap.device && entry.seq === tap.seq)) return false;
    const rule: SlipRule = tap.product === 'single' ? 'single_use' : 'passback';
    if (rule === 'single_use' && !this.options.singles) return false;
    const window = this.options.passbackSeconds() * 1000;
    const earlier = seen.find((entry) => rule === 'single_use' || (entry.station === tap.station && Math.abs(tap.at - entry.at) < window));
    if (seen.length < MAX_ENTRIES_PER_TICKET) this.entries.set(ticketId, [...seen, { device: tap.device, seq: tap.seq, station: tap.station, at: tap.at }]);
    if (!earlier) return false;
    this.metrics.passbackSlips.inc({ rule });
    this.logger.warn(
      {
        rule,
        ticketId,
        first: { device: earlier.device, seq: earlier.seq, station: earlier.station, at: new Date(earlier.at).toISOString() },
        second: { device: tap.device, seq: tap.seq, station: tap.station, at: new Date(tap.at).toISOString() },
      },
      'a ticket got through twice where the rules say no',
    );
    return true;
  }
}
