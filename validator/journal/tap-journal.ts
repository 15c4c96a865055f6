/**
 * The validator's durable tap journal (architecture.md, delivery guarantee, step 1).
 * append() assigns the next per-device sequence number and returns at once — the gate
 * decision never waits for the card — while records appended within one commit
 * interval share one write + fdatasync (group commit). The uplink reads committed
 * records with readFrom() and clears them with acknowledge(); cleared segments are
 * deleted, and a large backlog raises an alarm without ever refusing a tap.
 */
import type { Logger } from 'pino';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { writeAckedSeq } from './ack-state.ts';
import { BatchedTask } from './batched-task.ts';
import { encodeFrame } from './frame-codec.ts';
import { nodeJournalFs, type JournalFs } from './journal-fs.ts';
import {
  BACKLOG_CLEAR_RATIO,
  resolveJournalOptions,
  type ResolvedJournalOptions,
  type TapJournalOptions,
} from './journal-options.ts';
import { encodeRecord, type NewJournalRecord } from './record-codec.ts';
import { openJournalFiles } from './journal-open.ts';
import type { SegmentLog, Backlog, PendingFrame } from './segment-log.ts';
import type { SeqReserver } from './seq-reserver.ts';
import type { DeclaredLoss } from './seq-space.ts';

/** append() cannot hand out a seq: the journal is not open, or its reservation is not on disk. */
export class JournalUnavailableError extends Error {
  override name = 'JournalUnavailableError';
}

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
  reserver: SeqReserver;
}

export class TapJournal {
  private readonly logger: Logger;
  private running: Running | undefined;
  /** Set by stop(): no more appends, while the last commit still needs the files. */
  private stopping = false;
  private pending: PendingFrame[] = [];
  /** The batch being written right now: uncommitted too. */
  private writing: PendingFrame[] = [];
  private lastCommitError: unknown;
  private loss: DeclaredLoss | undefined;
  private seqNext = 1;
  private committedTo = 0;
  private ackedTo = 0;
  private persistedAckTo = 0;
  private indexedBacklog: Backlog = { records: 0, bytes: 0 };
  private unindexed: Backlog = { records: 0, bytes: 0 };
  private alarm = false;
  private commitCount = 0;

  private readonly fs: JournalFs;
  private readonly monotonicNow: () => number;

  constructor(
    private readonly options: TapJournalOptions,
    logger: Logger,
  ) {
    this.logger = logger.child({ module: 'journal' });
    this.fs = options.fs ?? nodeJournalFs;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
  }

  /** The range the last start() found lost (declare it in the first record), if any. */
  get declaredLoss(): DeclaredLoss | undefined {
    return this.loss;
  }

  /** Whether append() can take records: open, and the next seq inside the reservation on disk. */
  get appendable(): boolean {
    return this.running !== undefined && !this.stopping && this.seqNext <= this.running.reserver.reservedThrough;
  }

  get isOpen(): boolean {
    return this.running !== undefined && !this.stopping;
  }

  /** How long the oldest record not yet durable has waited, ms (0: everything committed). */
  uncommittedAgeMs(): number {
    const oldest = this.writing[0] ?? this.pending[0];
    return oldest === undefined ? 0 : Math.max(0, this.monotonicNow() - oldest.appendedAt);
  }

  /** The error of the last failed commit or reservation, until one succeeds again. */
  get lastError(): unknown {
    return this.lastCommitError ?? this.running?.reserver.error;
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

  /**
   * Opens the directory and recovers (validates every frame, truncates a torn tail), then
   * resumes above every seq handed out before, declaring the range that may be lost.
   */
  async start(): Promise<void> {
    if (this.running) throw new Error('journal already started');
    const options = resolveJournalOptions(this.options);
    const { files, reserver, plan, ackedSeq } = await openJournalFiles(this.fs, options, this.keepWrittenSince(options), this.logger);
    this.pending = [];
    this.writing = [];
    this.lastCommitError = undefined;
    this.loss = plan.loss;
    this.seqNext = plan.nextSeq;
    // Nothing below the oldest record still on disk is this journal's to send.
    this.ackedTo = this.persistedAckTo = Math.max(ackedSeq, (files.firstSeq ?? plan.nextSeq) - 1);
    this.committedTo = Math.max(files.lastSeq, this.ackedTo);
    this.indexedBacklog = files.backlogAbove(this.ackedTo);
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
      reserver,
    };
    this.stopping = false;
    this.updateAlarm(options);
    this.logger.info({ dir: options.dir, nextSeq: this.seqNext, ackedSeq: this.ackedTo, backlog: this.backlog }, 'journal open');
    if (plan.loss) {
      // Empty storage is a new gate as often as a replaced card: the journal cannot tell
      // which, so it declares the range either way, but says so instead of crying crash.
      if (plan.loss.reason === 'state_lost') {
        this.logger.warn({ ...plan.loss, nextSeq: this.seqNext }, 'journal starts on empty storage (a new gate, or a wiped or replaced card): seqs below the first one are declared lost in case an earlier journal held any');
      } else {
        this.logger.error({ ...plan.loss, nextSeq: this.seqNext }, 'journal resumes above seqs that may have been decided but never made durable; declaring them lost');
      }
      if (options.lossRecordBase) this.append({ kind: 'loss', ...options.lossRecordBase(), ...plan.loss });
    }
  }

  /** Assigns the next seq and queues the record; no I/O happens here. */
  append(record: NewJournalRecord): AppendResult {
    const running = this.requireRunning();
    const seq = this.seqNext;
    if (seq > running.reserver.reservedThrough) {
      throw new JournalUnavailableError(`seq ${seq} is beyond the seq reservation on disk (${running.reserver.reservedThrough}); the card is not taking writes`);
    }
    const frame = encodeFrame(encodeRecord({ ...record, seq } as JournalRecord));
    this.seqNext = seq + 1; // only once encoding succeeded: a refused record burns no seq
    running.reserver.keepAhead(this.seqNext);
    this.pending.push({ seq, frame, appendedAt: this.monotonicNow() });
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
    const unwritten = this.pending.length;
    // Clean: the reservation shrinks to what is committed, so the next start declares nothing.
    const final = unwritten === 0 ? { reservedThrough: this.seqNext - 1, stoppedWith: 'clean' as const } : { reservedThrough: running.reserver.reservedThrough, stoppedWith: 'journal_failed' as const };
    await running.reserver.close(final).catch((error: unknown) => (failure ??= error));
    await running.files.close().catch((error: unknown) => (failure ??= error));
    this.running = undefined;
    if (unwritten > 0) {
      const seqs = `${this.pending[0]?.seq}..${this.pending.at(-1)?.seq}`;
      throw new JournalUnavailableError(`${unwritten} journal records (seqs ${seqs}) were never made durable: ${(failure as Error | undefined)?.message ?? 'unknown error'}`);
    }
    if (failure !== undefined) throw failure;
    this.logger.info({ nextSeq: this.seqNext, ackedSeq: this.ackedTo }, 'journal closed');
  }

  /**
   * The gateway holds records of this device up to `highestSeq` that are not ours (a
   * replaced card with a clock far behind): move every new seq above them, durably.
   */
  async skipAbove(highestSeq: number): Promise<void> {
    const running = this.requireRunning();
    if (highestSeq < this.seqNext) return;
    await running.reserver.settle();
    await running.reserver.reserveFrom(highestSeq + 1);
    if (highestSeq >= this.seqNext) {
      this.logger.error({ from: this.seqNext, to: highestSeq + 1 }, 'seq conflict at the gateway: new records continue above its highest seq');
      this.seqNext = highestSeq + 1;
    }
  }

  private requireRunning(): Running {
    if (!this.running || this.stopping) throw new JournalUnavailableError('journal is not running (call start() first)');
    return this.running;
  }

  private async commitPending(files: SegmentLog): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.writing = batch;
    try {
      await files.appendBatch(batch);
    } catch (error) {
      this.pending = batch.concat(this.pending); // retried by the BatchedTask, in order
      this.lastCommitError = error;
      throw error;
    } finally {
      this.writing = [];
    }
    this.lastCommitError = undefined;
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
      await writeAckedSeq(this.fs, options.dir, seq);
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
