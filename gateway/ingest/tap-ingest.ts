/**
 * Ingest, exactly once (architecture.md, delivery guarantee, step 3): every batch is
 * validated, committed in one transaction together with the batches that arrived
 * while the previous commit ran (group commit), and only then acked with the
 * device's highest contiguous committed seq. A bad batch gets a negative ack and a
 * logged reason, and never holds up the batches after it.
 */
import type { Logger } from 'pino';
import { encodeMessage, MessageError, parseTapBatch, type BatchAck, type TapBatch } from '../../protocol/mqtt/messages.ts';
import { deviceOfTopic, topics } from '../../protocol/mqtt/topics.ts';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';
import { REJECT_REASONS } from '../../protocol/ticket/reasons.ts';
import { batchProblem, DEFAULT_BATCH_RULES, type BatchRules } from './batch-checks.ts';

export interface AckPublisher {
  publish(topic: string, payload: Buffer, options?: { qos?: 0 | 1 }): Promise<void>;
}

interface Pending {
  batch: TapBatch;
  receivedAt: number;
}

/** Metric labels stay bounded whatever a device sends. */
function knownReason(reason: string): string {
  return reason === 'ok' || (REJECT_REASONS as readonly string[]).includes(reason) ? reason : 'other';
}

/** The most batches committed in one transaction. */
const MAX_GROUP = 200;

export class TapIngest {
  private queue: Pending[] = [];
  private committing = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;

  constructor(
    private readonly ledger: Ledger,
    private readonly acks: AckPublisher,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
    /** Sees every committed batch's records (clearing checks), after the commit and before the ack. */
    private readonly onCommitted: (records: readonly JournalRecord[]) => void = () => undefined,
    private readonly rules: BatchRules = DEFAULT_BATCH_RULES,
  ) {}

  /** Handles one message from `faregate/v1/devices/{device}/taps`. */
  onMessage(topic: string, payload: Buffer): void {
    const device = deviceOfTopic(topic);
    if (!device) return;
    let batch: TapBatch;
    try {
      batch = parseTapBatch(payload);
      if (batch.device !== device) throw new MessageError(`tap batch: device ${batch.device} published on ${device}'s topic`);
    } catch (error) {
      this.metrics.batchesRejected.inc();
      const reason = (error as Error).message;
      this.logger.warn({ device, reason }, 'tap batch rejected');
      void this.sendAck(device, { status: 'rejected', reason });
      return;
    }
    if (this.queue.length === 0 && !this.committing) this.idle = new Promise((resolve) => (this.markIdle = resolve));
    this.queue.push({ batch, receivedAt: performance.now() });
    void this.commitLoop();
  }

  /** Resolves when everything received so far is committed and acked (tests, shutdown). */
  async drain(): Promise<void> {
    await this.idle;
  }

  private async commitLoop(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      while (this.queue.length > 0) {
        const group = await this.admitted(this.queue.splice(0, MAX_GROUP));
        if (group.length > 0) await this.commitGroup(group);
      }
    } finally {
      this.committing = false;
      this.markIdle();
    }
  }

  /** The batches that pass the checks against the ledger; the others get a negative ack with the reason. */
  private async admitted(group: Pending[]): Promise<Pending[]> {
    const passed: Pending[] = [];
    for (const pending of group) {
      const { batch } = pending;
      let reason: string | undefined;
      try {
        reason = await batchProblem(batch, this.ledger, this.rules);
      } catch (error) {
        reason = `not checked: ${(error as Error).message}`;
      }
      if (reason === undefined) {
        passed.push(pending);
        continue;
      }
      this.metrics.batchesRejected.inc();
      this.logger.warn({ device: batch.device, firstSeq: batch.firstSeq, reason }, 'tap batch rejected');
      await this.sendAck(batch.device, { status: 'rejected', reason: `tap batch: ${reason}` });
    }
    return passed;
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    let results;
    try {
      results = await this.ledger.ingestBatches(group.map(({ batch }) => ({ device: batch.device, records: batch.records })));
    } catch (error) {
      // One bad batch must not poison the group: retry each alone, so only it is refused.
      if (group.length > 1) {
        for (const pending of group) await this.commitGroup([pending]);
        return;
      }
      const batch = group[0]!.batch;
      const reason = (error as Error).message;
      this.metrics.batchesRejected.inc();
      this.logger.error({ device: batch.device, firstSeq: batch.firstSeq, reason }, 'tap batch not committed');
      await this.sendAck(batch.device, { status: 'rejected', reason: `not stored: ${reason}` });
      return;
    }
    // Only the last result of each device matters: its watermark covers the earlier ones.
    const latest = new Map<string, { ackedThrough: number; pending: Pending; conflicts: number[]; losses: boolean }>();
    group.forEach((pending, index) => {
      const result = results[index]!;
      this.metrics.recordsIngested.inc(result.inserted);
      this.metrics.recordsDuplicate.inc(result.duplicates);
      const device = pending.batch.device;
      const earlier = latest.get(device);
      const conflicts = [...(earlier?.conflicts ?? []), ...result.conflicts];
      const losses = (earlier?.losses ?? false) || pending.batch.records.some((record) => record.kind === 'loss');
      for (const record of pending.batch.records) {
        if (record.kind === 'tap') this.metrics.decisions.inc({ decision: record.decision, reason: knownReason(record.reason) });
      }
      try {
        this.onCommitted(pending.batch.records);
      } catch (error) {
        this.logger.error({ err: error }, 'committed-records observer failed');
      }
      // The newest record of the batch: how far behind the gates the ledger runs (a backlog drains old ones).
      const newest = pending.batch.records[pending.batch.records.length - 1]!;
      this.metrics.ingestLag.observe(Math.max(0, (Date.now() - newest.at) / 1000));
      latest.set(device, { ackedThrough: result.highestContiguous, pending, conflicts, losses });
    });
    this.metrics.batchesIngested.inc(group.length);
    await Promise.all(
      [...latest].map(async ([device, { ackedThrough, pending, conflicts, losses }]) => {
        const ack: Omit<BatchAck, 'v' | 'device'> = { status: 'ok', ackedThrough };
        if (ackedThrough < pending.batch.lastSeq) {
          const gaps = await this.ledger.gaps(device);
          ack.missing = gaps.slice(0, 50).map((gap) => [gap.fromSeq, gap.toSeq]);
          this.metrics.gapsSeen.set({ device }, gaps.length);
        }
        if (losses) await this.reportLosses(device);
        if (conflicts.length > 0) Object.assign(ack, await this.refuseConflicts(device, conflicts));
        await this.sendAck(device, ack);
        this.metrics.ackLatency.observe((performance.now() - pending.receivedAt) / 1000);
      }),
    );
  }

  /** Declared losses are expected after a crash, but never silent: a log line and a gauge. */
  private async reportLosses(device: string): Promise<void> {
    const losses = await this.ledger.losses(device);
    this.metrics.declaredLosses.set({ device }, losses.length);
    const last = losses.at(-1);
    if (last) this.logger.warn(last, 'the device declared seqs lost');
  }

  /** The alarm for records refused as seq conflicts, and the ack fields that tell the device. */
  private async refuseConflicts(device: string, seqs: number[]): Promise<Pick<BatchAck, 'reason' | 'conflicts' | 'highestSeq'>> {
    this.metrics.seqConflicts.inc({ device }, seqs.length);
    const progress = await this.ledger.deviceProgress(device);
    this.logger.error(
      { device, seqs: seqs.slice(0, 20), count: seqs.length, highestSeq: progress.highestSeq },
      'ALARM: records refused as seq conflicts (the ledger holds these seqs with other content; both kept, see /api/conflicts)',
    );
    return { reason: 'seq_conflict', conflicts: toRanges(seqs), highestSeq: progress.highestSeq };
  }

  private async sendAck(device: string, ack: Omit<BatchAck, 'v' | 'device' | 'ackedThrough'> & { ackedThrough?: number }): Promise<void> {
    try {
      const ackedThrough = ack.ackedThrough ?? (await this.ledger.deviceProgress(device)).contiguousThrough;
      await this.acks.publish(topics.ack(device), encodeMessage({ v: 1, device, ...ack, ackedThrough }), { qos: 1 });
    } catch (error) {
      this.logger.warn({ device, reason: (error as Error).message }, 'ack not sent; the device will re-send');
    }
  }
}

/** Ascending seqs as inclusive ranges. */
function toRanges(seqs: readonly number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const seq of [...new Set(seqs)].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && seq === last[1] + 1) last[1] = seq;
    else ranges.push([seq, seq]);
  }
  return ranges;
}
