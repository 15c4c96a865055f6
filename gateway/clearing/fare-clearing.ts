/**
 * Clearing in the gateway: every committed batch is looked at after its commit (never
 * holding up the ack). Accepted taps of account tickets get their accounts rated again
 * (account-rater.ts); accepted taps of singles and passes are recorded as uses; records
 * that arrive more than `lateAfterMs` after the gate made them are recorded as late.
 * Accounts are rated one at a time, in the order their taps arrived.
 *
 * A step that fails is logged and counted; its taps are already in the ledger, so the
 * next tap of the account rates them (a re-rating reads every tap of the window).
 */
import type { Logger } from 'pino';
import type { FareFeed } from '../fares/fares-api.ts';
import type { LateArrival, TicketUse } from '../ledger/clearing-store.ts';
import type { Device, Ledger } from '../ledger/ledger.ts';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { AccountRater } from './account-rater.ts';
import { agencyOf, isAccountTap, isTicketUse, placeOf, serviceDayOf } from './clearing-places.ts';

export interface ClearingOptions {
  /** The quickest a rider gets from one station to another (clearing-flags.ts). */
  minTravelMs: number;
  /** A record committed later than this after its gate time is a late arrival. */
  lateAfterMs: number;
  /**
   * At start, records made this long before are cleared again: what a crash left between
   * a commit and its rating gets rated (clearing them twice changes nothing). Default 24 h.
   */
  catchUpMs?: number;
  now?: () => number;
}

interface Job {
  records: readonly JournalRecord[];
  receivedAt: number;
  /** Read back at start, not just received: not a late arrival. */
  catchUp?: boolean;
}

export class FareClearing {
  private readonly jobs: Job[] = [];
  private readonly devices = new Map<string, Device>();
  private rater!: AccountRater;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly ledger: Ledger,
    readonly feed: FareFeed,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
    private readonly options: ClearingOptions,
  ) {}

  private get now(): () => number {
    return this.options.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.rater = new AccountRater(this.ledger, this.feed, (id) => this.deviceOf(id), { minTravelMs: this.options.minTravelMs, now: this.now });
    for (const device of await this.ledger.listDevices()) this.devices.set(device.id, device);
    this.running = this.readBack(this.now() - (this.options.catchUpMs ?? 86_400_000)).finally(() => (this.running = undefined));
  }

  /** Clears the taps made since `from` again, a page at a time (with whatever arrives meanwhile). */
  private async readBack(from: number): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.step('catch-up', () => this.ledger.taps({ kind: 'tap', from, limit: 10_000, ...(cursor !== undefined && { cursor }) }));
      if (page === undefined) return;
      this.jobs.push({ records: page.records, receivedAt: this.now(), catchUp: true });
      await this.work();
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Finishes what was handed over, then takes nothing more. */
  async stop(): Promise<void> {
    await this.drain();
    this.stopped = true;
  }

  /** Committed records (re-sent ones too: clearing them again changes nothing). */
  observe(records: readonly JournalRecord[]): void {
    if (this.stopped || records.length === 0) return;
    this.jobs.push({ records, receivedAt: this.now() });
    this.running ??= this.work().finally(() => (this.running = undefined));
  }

  /** Resolves when everything observed so far is cleared (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  /** The gate's registration; read again when unknown or changed since (a gate registered after start). */
  private async deviceOf(id: string): Promise<Device | undefined> {
    if (!this.devices.has(id)) {
      const device = await this.ledger.getDevice(id);
      if (device) this.devices.set(id, device);
    }
    return this.devices.get(id);
  }

  /** Forgets a gate's cached registration (it was registered again, maybe with another fare stop). */
  forgetDevice(id: string): void {
    this.devices.delete(id);
  }

  private async work(): Promise<void> {
    while (this.jobs.length > 0) {
      const batch = this.jobs.splice(0, this.jobs.length);
      const accounts = new Map<string, { earliest: number; devices: Set<string>; late: boolean }>();
      const uses: TicketUse[] = [];
      const late: LateArrival[] = [];
      for (const { records, receivedAt, catchUp } of batch) {
        for (const record of records) {
          const isLate = catchUp !== true && receivedAt - record.at > this.options.lateAfterMs;
          if (isLate) late.push({ device: record.device, seq: record.seq, at: record.at, receivedAt });
          if (isAccountTap(record)) {
            const entry = accounts.get(record.ticketId) ?? { earliest: record.at, devices: new Set<string>(), late: false };
            entry.earliest = Math.min(entry.earliest, record.at);
            entry.devices.add(record.device);
            entry.late ||= isLate;
            accounts.set(record.ticketId, entry);
          } else if (isTicketUse(record)) {
            const place = placeOf(record, await this.step('device lookup', () => this.deviceOf(record.device)));
            uses.push({
              device: record.device, seq: record.seq, ticketId: record.ticketId, product: record.product!, at: record.at,
              serviceDay: serviceDayOf(this.feed, record.at), direction: record.direction === 'entry' ? 'in' : 'out',
              stop: place.stop, network: place.network, agency: agencyOf(this.feed, place.network),
            });
          }
        }
      }
      await this.step('late arrivals', async () => this.metrics.clearingLateRecords.inc(await this.ledger.recordLateArrivals(late)));
      await this.step('ticket uses', () => this.recordUses(uses));
      for (const [account, { earliest, devices, late: isLate }] of accounts) {
        const reason = `${isLate ? 'late taps' : 'taps'} from ${[...devices].sort().join(', ')}`;
        // A catch-up that changes nothing writes nothing; one that does names the devices too.
        await this.step('rating', async () => {
          const outcome = await this.rater.rate(account, earliest, reason);
          this.metrics.clearingRatings.inc({ kind: 'first' }, outcome.written - outcome.superseded);
          this.metrics.clearingRatings.inc({ kind: 'superseded' }, outcome.superseded);
          for (const flag of outcome.newFlags) this.metrics.clearingFlags.inc({ kind: flag.kind });
          if (outcome.superseded > 0) this.logger.info({ devices: [...devices], superseded: outcome.superseded }, 'late taps re-rated an account');
        });
      }
    }
  }

  /** Uses once each; a single's entry after its first is a flag (counted once, even when its batch is re-sent). */
  private async recordUses(uses: TicketUse[]): Promise<void> {
    if (uses.length === 0) return;
    const singles = [...new Set(uses.filter((u) => u.product === 'single' && u.direction === 'in').map((u) => u.ticketId))];
    const key = (u: TicketUse): string => `${u.device}\u0000${u.seq}`;
    const known = new Set<string>();
    for (const ticketId of singles) for (const use of await this.ledger.ticketUses(ticketId)) known.add(key(use));
    await this.ledger.recordTicketUses(uses);
    for (const ticketId of singles) {
      const entries = (await this.ledger.ticketUses(ticketId)).filter((u) => u.direction === 'in');
      const repeated = entries.slice(1).filter((u) => !known.has(key(u)));
      if (repeated.length === 0) continue;
      this.metrics.clearingFlags.inc({ kind: 'single-reused' }, repeated.length);
      this.logger.warn({ first: { device: entries[0]!.device, seq: entries[0]!.seq }, again: repeated.map((u) => ({ device: u.device, seq: u.seq })) }, 'a single ticket was accepted at more than one entry');
    }
  }

  private async step<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      this.metrics.clearingErrors.inc();
      this.logger.error({ step: what, reason: (error as Error).message }, 'clearing step failed');
      return undefined;
    }
  }
}
