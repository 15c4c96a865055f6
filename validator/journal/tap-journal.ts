/**
 * The validator's durable tap journal (architecture.md, delivery guarantee, step 1).
 * append() assigns the next per-device sequence number and returns at once — the gate
 * decision never waits for the card — while records appended within one commit
 * interval share one write + fdatasync (group commit). The uplink reads committed
 * records with readFrom() and clears them with acknowledge(); cleared segments are
 * deleted, and a large backlog raises an alarm without ever refusing a tap.
 */
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { readAckedSeq, writeAckedSeq } from './ack-state.ts';
import { BatchedTask } from './batched-task.ts';
import { encodeFrame } from './frame-codec.ts';
import {
  BACKLOG_CLEAR_RATIO,
  resolveJournalOptions,
  type ResolvedJournalOptions,
  type TapJournalOptions,
} from './journal-options.ts';
import { encodeRecord, type NewJournalRecord } from './record-codec.ts';
import { recoverSegments } from './recovery.ts';
import { SegmentLog, type Backlog, type PendingFrame } from './segment-log.ts';

export interface AppendResult {
  seq: number;
  /** Resolves after the fdatasync that covers this record. Never rejects unless stop() fails. */
  committed: Promise<void>;
}

interface Running {
  options: ResolvedJournalOptions;
  files: SegmentLog;
  commits: BatchedTask;
  ackWrites: BatchedTask;
}

export class TapJournal {
  private readonly logger: Logger;
  private running: Running | undefined;
  /** Set by stop(): no more appends, while the last commit still needs the files. */
  private stopping = false;
  private pending: PendingFrame[] = [];
  private seqNext = 1;
  private committedTo = 0;
  private ackedTo = 0;
  private persistedAckTo = 0;
  private indexedBacklog: Backlog = { records: 0, bytes: 0 };
  private unindexed: Backlog = { records: 0, bytes: 0 };
  private alarm = false;
  private commitCount = 0;

  constructor(
    private readonly options: TapJournalOptions,
    logger: Logger,
  ) {
    this.logger = logger.child({ module: 'journal' });
  }

  /** The seq the next append() will get. */
  get nextSeq(): number {
    return this.seqNext;
  }
  /** Highest seq made durable (or acknowledged). */
  get committedSeq(): number {
    return this.committedTo;
  }
  get acknowledgedSeq(): number {
    return this.ackedTo;
  }
  /** Un-acknowledged records, committed or not, and their bytes on disk. */
  get backlog(): Backlog {
    return {
      records: this.indexedBacklog.records + this.unindexed.records,
      bytes: this.indexedBacklog.bytes + this.unindexed.bytes,
    };
  }
  get backlogAlarm(): boolean {
    return this.alarm;
  }
  /** Completed write + fdatasync batches since start(), for metrics and tests. */
  get commits(): number {
    return this.commitCount;
  }

  /** Opens the directory and recovers: validates every frame, truncates a torn tail. */
  async start(): Promise<void> {
    if (this.running) throw new Error('journal already started');
    const options = resolveJournalOptions(this.options);
    await mkdir(options.dir, { recursive: true });
    const ackedSeq = await readAckedSeq(options.dir, this.logger);
    const { segments, highestSeq } = await recoverSegments(options.dir, ackedSeq, this.logger, this.keepWrittenSince(options));
    const files = new SegmentLog(options.dir, segments, options.segmentBytes, this.logger);
    await files.open();
    this.pending = [];
    this.ackedTo = this.persistedAckTo = ackedSeq;
    this.committedTo = Math.max(files.lastSeq, ackedSeq);
    // Beyond the ack point too: with every record acknowledged and compacted, or the
    // segments lost, the gateway still holds those seqs and would drop a reissued one.
    this.seqNext = Math.max(highestSeq, ackedSeq) + 1;
    this.indexedBacklog = files.backlogAbove(ackedSeq);
    this.unindexed = { records: 0, bytes: 0 };
    this.alarm = false;
    this.commitCount = 0;
    const onError = (what: string) => (err: unknown, failures: number) =>
      this.logger.error({ err, failures }, `${what} failed; retrying`);
    this.running = {
      options,
      files,
      commits: new BatchedTask(() => this.commitPending(files), options.commitIntervalMs, onError('journal commit')),
      ackWrites: new BatchedTask(() => this.persistAck(files, options), options.ackPersistIntervalMs, onError('journal ack write')),
    };
    this.stopping = false;
    this.updateAlarm(options);
    this.logger.info({ dir: options.dir, nextSeq: this.seqNext, ackedSeq, backlog: this.backlog }, 'journal open');
  }

  /** Assigns the next seq and queues the record; no I/O happens here. */
  append(record: NewJournalRecord): AppendResult {
    const running = this.requireRunning();
    const seq = this.seqNext;
    const frame = encodeFrame(encodeRecord({ ...record, seq } as JournalRecord));
    this.seqNext = seq + 1; // only once encoding succeeded: a refused record burns no seq
    this.pending.push({ seq, frame });
    this.unindexed.records += 1;
    this.unindexed.bytes += frame.length;
    this.updateAlarm(running.options);
    return { seq, committed: running.commits.request() };
  }

  /** Committed, un-acknowledged records with seq >= fromSeq, oldest first. */
  async readFrom(fromSeq: number, maxRecords: number): Promise<JournalRecord[]> {
    const running = this.requireRunning();
    if (!Number.isSafeInteger(fromSeq)) throw new RangeError('fromSeq must be an integer');
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) throw new RangeError('maxRecords must be a positive integer');
    return running.files.read(Math.max(fromSeq, this.ackedTo + 1), maxRecords);
  }

  /**
   * Committed records still on disk with seq >= fromSeq, acknowledged or not, oldest first:
   * what start-up reads back (e.g. recent accepts for anti-passback).
   */
  async readRetained(fromSeq: number, maxRecords: number): Promise<JournalRecord[]> {
    const running = this.requireRunning();
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) throw new RangeError('maxRecords must be a positive integer');
    return running.files.read(fromSeq, maxRecords);
  }

  /**
   * The gateway holds every record up to highestSeq: they leave the backlog now, and the
   * promise resolves once the ack point is on disk (its segments then deleted).
   */
  acknowledge(highestSeq: number): Promise<void> {
    const running = this.requireRunning();
    if (!Number.isSafeInteger(highestSeq)) throw new RangeError('highestSeq must be an integer');
    if (highestSeq > this.committedTo) {
      // The gateway cannot hold what was never committed here; trust only our own side.
      this.logger.warn({ highestSeq, committedSeq: this.committedTo }, 'ack beyond the committed journal; clamped');
    }
    const target = Math.min(highestSeq, this.committedTo);
    if (target <= this.persistedAckTo) return Promise.resolve();
    if (target > this.ackedTo) {
      this.ackedTo = target;
      this.indexedBacklog = running.files.backlogAbove(target);
      this.updateAlarm(running.options);
    }
    return running.ackWrites.request();
  }

  /** Commits everything appended so far, writes the ack point, closes the files. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running || this.stopping) return;
    this.stopping = true; // append() refuses from here on
    let failure: unknown;
    await running.commits.flush().catch((error: unknown) => (failure = error));
    await running.ackWrites.flush().catch((error: unknown) => (failure ??= error));
    await running.files.close();
    this.running = undefined;
    if (failure !== undefined) throw failure;
    this.logger.info({ nextSeq: this.seqNext, ackedSeq: this.ackedTo }, 'journal closed');
  }

  private requireRunning(): Running {
    if (!this.running || this.stopping) throw new Error('journal is not running (call start() first)');
    return this.running;
  }

  private async commitPending(files: SegmentLog): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      await files.appendBatch(batch);
    } catch (error) {
      this.pending = batch.concat(this.pending); // retried by the BatchedTask, in order
      throw error;
    }
    const bytes = batch.reduce((sum, item) => sum + item.frame.length, 0);
    this.unindexed.records -= batch.length;
    this.unindexed.bytes -= bytes;
    this.indexedBacklog.records += batch.length;
    this.indexedBacklog.bytes += bytes;
    this.committedTo = batch.at(-1)?.seq ?? this.committedTo;
    this.commitCount++;
  }

  private async persistAck(files: SegmentLog, options: ResolvedJournalOptions): Promise<void> {
    const seq = this.ackedTo;
    if (seq > this.persistedAckTo) {
      await writeAckedSeq(options.dir, seq);
      this.persistedAckTo = seq;
    }
    // Only after the ack point is durable, so that a crash in between never leaves an
    // ack point that calls records pending which are already gone.
    await files.dropAcknowledged(this.persistedAckTo, this.keepWrittenSince(options));
  }

  /** Acknowledged segments written since this time stay on disk (retainAcknowledgedMs). */
  private keepWrittenSince(options: ResolvedJournalOptions): number {
    return options.retainAcknowledgedMs > 0 ? Date.now() - options.retainAcknowledgedMs : Infinity;
  }

  private updateAlarm(options: ResolvedJournalOptions): void {
    const { backlogAlarmRecords: maxRecords, backlogAlarmBytes: maxBytes } = options;
    const backlog = this.backlog;
    const over = backlog.records > maxRecords || backlog.bytes > maxBytes;
    const under = backlog.records <= maxRecords * BACKLOG_CLEAR_RATIO && backlog.bytes <= maxBytes * BACKLOG_CLEAR_RATIO;
    if (this.alarm ? !under : !over) return;
    this.alarm = !this.alarm;
    if (this.alarm) this.logger.warn({ backlog, maxRecords, maxBytes }, 'journal backlog over its limit');
    else this.logger.info({ backlog }, 'journal backlog back under its limit');
    try {
      options.onBacklogAlarm?.(this.alarm, backlog);
    } catch (err) {
      // A listener's bug must not fail the append that crossed the limit.
      this.logger.error({ err }, 'backlog alarm listener threw');
    }
  }
}
