/**
 * The live journal files: appends batches to the hot segment (one write + one
 * fdatasync each), rolls to a new segment at the configured size, reads committed
 * records back, and deletes sealed segments once everything in them is acknowledged.
 * Files are only ever appended to; a hot segment is never rewritten.
 */
import type { Logger } from 'pino';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { fsyncDirectory } from './durable-file.ts';
import { readFrameAt } from './frame-codec.ts';
import { isMissing, type JournalFile, type JournalFs } from './journal-fs.ts';
import { decodeRecord } from './record-codec.ts';
import { lowerBound, readSegmentRange, segmentPath, writtenSince, type Segment } from './segment-files.ts';

export interface PendingFrame {
  seq: number;
  frame: Buffer;
  /** When append() queued it (the journal's monotonic clock), for the commit-age bound. */
  appendedAt: number;
}

export interface Backlog {
  records: number;
  bytes: number;
}

export class SegmentLog {
  private hot: JournalFile | undefined;

  constructor(
    private readonly fs: JournalFs,
    private readonly dir: string,
    private readonly segments: Segment[],
    private readonly segmentBytes: number,
    private readonly logger: Logger,
  ) {}

  /** Opens the last recovered segment for appending, if there is one. */
  async open(): Promise<void> {
    const last = this.segments.at(-1);
    if (last) this.hot = await this.fs.open(last.path, 'r+');
  }

  async close(): Promise<void> {
    await this.hot?.close();
    this.hot = undefined;
  }

  /** Lowest seq still on disk, undefined when no segment holds a record. */
  get firstSeq(): number | undefined {
    for (const segment of this.segments) {
      const first = segment.seqs[0];
      if (first !== undefined) return first;
    }
    return undefined;
  }

  /** Highest committed seq, 0 when no segment holds a record. */
  get lastSeq(): number {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const last = this.segments[i]?.seqs.at(-1);
      if (last !== undefined) return last;
    }
    return 0;
  }

  /** Writes the batch and makes it durable; the records are readable only after this. */
  async appendBatch(batch: readonly PendingFrame[]): Promise<void> {
    const first = batch[0];
    if (!first) return;
    const bytes = batch.reduce((sum, item) => sum + item.frame.length, 0);
    let segment = this.segments.at(-1);
    if (!segment || !this.hot || (segment.size > 0 && segment.size + bytes > this.segmentBytes)) {
      segment = await this.roll(first.seq);
    }
    const hot = this.hot as JournalFile; // set by open() or roll()
    const data = Buffer.concat(batch.map((item) => item.frame), bytes);
    const position = segment.size;
    try {
      for (let written = 0; written < data.length; ) {
        const { bytesWritten } = await hot.write(data, written, data.length - written, position + written);
        written += bytesWritten;
      }
      await hot.datasync();
    } catch (error) {
      // After a failed write or fdatasync the bytes past `position` are unknown; cut
      // them so the retry appends to a clean frame boundary.
      await hot.truncate(position).catch((cause: unknown) => {
        this.logger.error({ err: cause, segment: segment.path }, 'could not truncate after a failed journal write');
      });
      throw error;
    }
    let offset = position;
    for (const item of batch) {
      segment.seqs.push(item.seq);
      segment.offsets.push(offset);
      offset += item.frame.length;
    }
    segment.size = offset;
  }

  /** Committed records with seq >= fromSeq, oldest first, at most maxRecords. */
  async read(fromSeq: number, maxRecords: number): Promise<JournalRecord[]> {
    const out: JournalRecord[] = [];
    // A copy: compaction may drop segments while this reads.
    for (const segment of [...this.segments]) {
      if (out.length >= maxRecords) break;
      const count = segment.seqs.length; // the hot segment grows meanwhile; read what is there now
      const first = lowerBound(segment.seqs, fromSeq);
      if (first >= count) continue;
      const last = Math.min(count, first + maxRecords - out.length);
      const start = segment.offsets[first] ?? 0;
      const end = last < count ? (segment.offsets[last] ?? segment.size) : segment.size;
      const buf = await readSegmentRange(this.fs, segment.path, start, end);
      if (!buf) continue; // acknowledged and compacted away meanwhile
      for (let i = first; i < last; i++) {
        const frame = readFrameAt(buf, (segment.offsets[i] ?? 0) - start);
        const record = frame && decodeRecord(frame.payload);
        if (record && record.seq === segment.seqs[i]) out.push(record);
        // Damage after commit (card wear): skip it, the gateway reports the gap.
        else this.logger.error({ segment: segment.path, seq: segment.seqs[i] }, 'journal record damaged since commit; skipped');
      }
    }
    return out;
  }

  /** Un-acknowledged committed records. */
  backlogAbove(ackedSeq: number): Backlog {
    let records = 0;
    let bytes = 0;
    for (const segment of this.segments) {
      const first = lowerBound(segment.seqs, ackedSeq + 1);
      if (first >= segment.seqs.length) continue;
      records += segment.seqs.length - first;
      bytes += segment.size - (segment.offsets[first] ?? 0);
    }
    return { records, bytes };
  }

  /**
   * Deletes sealed segments whose records are all <= ackedSeq; never the hot one, nor one
   * last written after `keepWrittenSinceMs` (recent accepts are read back at start-up).
   */
  async dropAcknowledged(ackedSeq: number, keepWrittenSinceMs = Infinity): Promise<void> {
    for (let next = this.segments[1]; next && next.baseSeq <= ackedSeq + 1; next = this.segments[1]) {
      const oldest = this.segments[0] as Segment;
      if (await writtenSince(this.fs, oldest.path, keepWrittenSinceMs)) return;
      try {
        await this.fs.unlink(oldest.path);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      // No directory fsync: an unlink lost in a power cut only brings back records
      // that recovery finds acknowledged and deletes again.
      this.segments.shift();
      this.logger.debug({ segment: oldest.path }, 'acknowledged journal segment deleted');
    }
  }

  private async roll(baseSeq: number): Promise<Segment> {
    const path = segmentPath(this.dir, baseSeq);
    // 'w', not 'wx': a file of this name can only be the empty leftover of a roll whose
    // directory fsync failed, since baseSeq is above every seq already on disk.
    const handle = await this.fs.open(path, 'w', 0o600); // taps are personal data: the owner's only
    try {
      await fsyncDirectory(this.fs, this.dir); // the new file's name must survive a power cut
    } catch (error) {
      await handle.close();
      throw error;
    }
    await this.hot?.close(); // its last batch was already fdatasync'ed
    this.hot = handle;
    const segment: Segment = { path, baseSeq, seqs: [], offsets: [], size: 0 };
    this.segments.push(segment);
    this.logger.debug({ segment: path }, 'journal segment started');
    return segment;
  }
}
