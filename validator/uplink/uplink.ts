/**
 * Sends the journal to the gateway (architecture.md, delivery guarantee, step 2):
 * batches of consecutive records, QoS 1, kept in the journal until the gateway's
 * application ack names the highest contiguous sequence it committed. On every
 * (re)connect it re-sends from the ack point, oldest first, a few batches in flight
 * at a time, so a backlog drains at full speed while new taps keep being journalled.
 */
import type { Logger } from 'pino';
import { encodeMessage, parseBatchAck, type BatchAck, type TapBatch } from '../../protocol/mqtt/messages.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';

export interface UplinkJournal {
  readonly committedSeq: number;
  readonly acknowledgedSeq: number;
  readFrom(fromSeq: number, maxRecords: number): Promise<JournalRecord[]>;
  acknowledge(highestSeq: number): Promise<void>;
  /** Moves every new seq above one the gateway already holds (after a seq conflict). */
  skipAbove(highestSeq: number): Promise<void>;
}

export interface UplinkLink {
  readonly connected: boolean;
  publish(topic: string, payload: Buffer, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
}

export interface UplinkOptions {
  device: string;
  /** A batch goes out when it has this many records... */
  batchMaxRecords: number;
  /** ...or when its oldest record has waited this long, ms. */
  batchMaxDelayMs: number;
  /** Batches published but not yet acked (by the broker, and by the gateway), at most. */
  maxInFlightBatches: number;
  /** With no ack progress for this long, everything un-acked is sent again, ms. */
  ackTimeoutMs: number;
}

export interface UplinkStatus {
  connected: boolean;
  sentThrough: number;
  ackedThrough: number;
  lastBatchAt: number | undefined;
  lastAckAt: number | undefined;
  batchesSent: number;
  rejectedBatches: number;
  /** Acks that named seq conflicts. */
  seqConflicts: number;
}

export class Uplink {
  private sentThrough = 0;
  private inFlight = 0;
  private pumping = false;
  private batchTimer: NodeJS.Timeout | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private lastBatchAt: number | undefined;
  private lastAckAt: number | undefined;
  private batchesSent = 0;
  private rejectedBatches = 0;
  private seqConflicts = 0;
  private stopped = false;

  constructor(
    private readonly journal: UplinkJournal,
    private readonly link: UplinkLink,
    private readonly options: UplinkOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.sentThrough = this.journal.acknowledgedSeq;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.batchTimer);
    clearTimeout(this.ackTimer);
  }

  status(): UplinkStatus {
    return {
      connected: this.link.connected,
      sentThrough: this.sentThrough,
      ackedThrough: this.journal.acknowledgedSeq,
      lastBatchAt: this.lastBatchAt,
      lastAckAt: this.lastAckAt,
      batchesSent: this.batchesSent,
      rejectedBatches: this.rejectedBatches,
      seqConflicts: this.seqConflicts,
    };
  }

  /** The link is up: everything not acked is sent again (the gateway drops duplicates). */
  onConnected(): void {
    this.sentThrough = this.journal.acknowledgedSeq;
    this.inFlight = 0;
    // Everything goes out again now: its ack timeout starts with the first batch.
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    void this.pump();
  }

  /** New records were committed to the journal. */
  onCommitted(): void {
    const unsent = this.journal.committedSeq - this.sentThrough;
    if (unsent >= this.options.batchMaxRecords) {
      void this.pump();
    } else if (unsent > 0 && !this.batchTimer) {
      this.batchTimer = setTimeout(() => {
        this.batchTimer = undefined;
        void this.pump();
      }, this.options.batchMaxDelayMs);
    }
  }

  /** An ack arrived on the device's ack topic. */
  onAck(payload: Buffer): void {
    let ack: BatchAck;
    try {
      ack = parseBatchAck(payload);
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'ignored a malformed ack');
      return;
    }
    if (ack.device !== this.options.device) return;
    this.lastAckAt = Date.now();
    if (ack.status === 'rejected') {
      this.rejectedBatches++;
      this.logger.error({ reason: ack.reason, ackedThrough: ack.ackedThrough }, 'gateway rejected a batch; it stays in the journal');
    }
    if (ack.conflicts && ack.conflicts.length > 0) this.onConflicts(ack);
    if (ack.ackedThrough > this.journal.acknowledgedSeq) {
      const through = Math.min(ack.ackedThrough, this.journal.committedSeq);
      this.journal.acknowledge(through).catch((error: unknown) => this.logger.error({ err: error }, 'journal acknowledge failed'));
      this.armAckTimer();
      void this.pump();
    }
  }

  /**
   * The gateway holds some of our seqs with other content (this storage started with a
   * clock behind an earlier card's): it kept our records apart and alarmed; we must
   * never hand out those seqs again.
   */
  private onConflicts(ack: BatchAck): void {
    this.seqConflicts++;
    this.logger.error({ conflicts: ack.conflicts, highestSeq: ack.highestSeq }, 'gateway refused records as seq conflicts (kept there for an operator); moving new seqs above its highest');
    if (ack.highestSeq === undefined) return;
    this.journal.skipAbove(ack.highestSeq).catch((error: unknown) => this.logger.error({ err: error }, 'could not move the journal above the conflicting seqs'));
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
      while (
        !this.stopped &&
        this.link.connected &&
        this.inFlight < this.options.maxInFlightBatches &&
        // The gateway's pace bounds what is outstanding, not only the broker's PUBACKs.
        this.sentThrough - this.journal.acknowledgedSeq < this.options.maxInFlightBatches * this.options.batchMaxRecords &&
        this.journal.committedSeq > this.sentThrough
      ) {
        const records = consecutiveRun(await this.journal.readFrom(this.sentThrough + 1, this.options.batchMaxRecords));
        if (records.length === 0) break;
        const batch: TapBatch = {
          v: 1,
          device: this.options.device,
          firstSeq: records[0]!.seq,
          lastSeq: records[records.length - 1]!.seq,
          records,
        };
        this.sentThrough = batch.lastSeq;
        this.inFlight++;
        this.batchesSent++;
        this.lastBatchAt = Date.now();
        // Started by the first un-acked batch, not restarted by later ones: a steady trickle
        // of new batches must not postpone the re-send of one the broker lost.
        if (!this.ackTimer) this.armAckTimer();
        this.link
          .publish(topics.taps(this.options.device), encodeMessage(batch), { qos: 1 })
          .catch((error: unknown) => this.logger.warn({ reason: (error as Error).message, firstSeq: batch.firstSeq }, 'batch not published; it will be re-sent'))
          .finally(() => {
            this.inFlight = Math.max(0, this.inFlight - 1);
            void this.pump();
          });
      }
    } catch (error) {
      this.logger.error({ err: error }, 'uplink pump failed');
    } finally {
      this.pumping = false;
    }
  }

  /** (Re)starts the ack timeout: on the first batch out, and on every ack that makes progress. */
  private armAckTimer(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.sentThrough <= this.journal.acknowledgedSeq) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      if (this.sentThrough > this.journal.acknowledgedSeq) {
        this.logger.warn({ sentThrough: this.sentThrough, ackedThrough: this.journal.acknowledgedSeq }, 'no ack in time: re-sending');
        this.sentThrough = this.journal.acknowledgedSeq;
        this.inFlight = 0;
        void this.pump();
      }
    }, this.options.ackTimeoutMs);
  }
}

/**
 * The leading records with consecutive seqs: a batch never spans a jump (the seqs a crash
 * lost, declared by the loss record after them), which the gateway would refuse; the
 * next batch starts after the jump.
 */
export function consecutiveRun(records: JournalRecord[]): JournalRecord[] {
  let end = 1;
  while (end < records.length && records[end]!.seq === records[end - 1]!.seq + 1) end++;
  return end >= records.length ? records : records.slice(0, end);
}
