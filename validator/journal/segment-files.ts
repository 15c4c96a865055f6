/**
 * Segment files on disk: names, listing, the recovery scan, and range reads.
 * A segment is named by the first sequence number it was created for
 * (`seg-<16 digits>.jrn`), so every record in segment N is below the name of segment
 * N+1: recovery can drop fully acknowledged segments without reading them, and a
 * name alone proves that its sequence number was already handed out.
 */
import { join } from 'node:path';
import { findNextFrame, readFrameAt } from './frame-codec.ts';
import { isMissing, type JournalFile, type JournalFs } from './journal-fs.ts';
import { decodeRecord } from './record-codec.ts';

/** A segment's committed records: seqs[i] is the record whose frame starts at offsets[i]. */
export interface Segment {
  readonly path: string;
  readonly baseSeq: number;
  readonly seqs: number[];
  readonly offsets: number[];
  /** End of the last committed frame: the next append position. */
  size: number;
}

export interface SegmentScan {
  seqs: number[];
  offsets: number[];
  /** End of the intact prefix; bytes after it are damage. */
  validEnd: number;
  fileSize: number;
  /** How many intact records lie after the damage, and the highest seq among them (0 if none). */
  intactBeyondDamage: number;
  highestBeyondDamage: number;
}

const SEGMENT_NAME = /^seg-(\d{16})\.jrn$/;

export function segmentPath(dir: string, baseSeq: number): string {
  return join(dir, `seg-${String(baseSeq).padStart(16, '0')}.jrn`);
}

/** The directory's segments, oldest first. */
export async function listSegments(fs: JournalFs, dir: string): Promise<{ path: string; baseSeq: number }[]> {
  const found: { path: string; baseSeq: number }[] = [];
  for (const name of await fs.readdir(dir)) {
    const match = SEGMENT_NAME.exec(name);
    if (match?.[1]) found.push({ path: join(dir, name), baseSeq: Number(match[1]) });
  }
  return found.sort((a, b) => a.baseSeq - b.baseSeq);
}

/**
 * Reads a whole segment (bounded by the roll size) and indexes its intact prefix: frames
 * whose CRC matches and whose sequence numbers increase. A frame that fails either ends
 * the prefix; whatever intact frames lie beyond are only reported by seq.
 */
export async function scanSegment(fs: JournalFs, path: string): Promise<SegmentScan> {
  const buf = await fs.readFile(path);
  const seqs: number[] = [];
  const offsets: number[] = [];
  let offset = 0;
  let lastSeq = 0;
  for (;;) {
    const frame = readFrameAt(buf, offset);
    const record = frame && decodeRecord(frame.payload);
    if (!frame || !record || record.seq <= lastSeq) break;
    seqs.push(record.seq);
    offsets.push(offset);
    lastSeq = record.seq;
    offset += frame.length;
  }
  let intactBeyondDamage = 0;
  let highestBeyondDamage = 0;
  let at = offset + 1;
  for (let frame = findNextFrame(buf, at); frame; frame = findNextFrame(buf, at)) {
    const record = decodeRecord(frame.payload);
    if (record && record.seq > lastSeq) {
      intactBeyondDamage++;
      highestBeyondDamage = Math.max(highestBeyondDamage, record.seq);
    }
    at = record ? frame.offset + frame.length : frame.offset + 1;
  }
  return { seqs, offsets, validEnd: offset, fileSize: buf.length, intactBeyondDamage, highestBeyondDamage };
}

/** Bytes [start, end) of a segment, or undefined when compaction has removed it. */
export async function readSegmentRange(fs: JournalFs, path: string, start: number, end: number): Promise<Buffer | undefined> {
  let handle: JournalFile;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const buf = Buffer.allocUnsafe(end - start);
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, start + filled);
      if (bytesRead === 0) throw new Error(`segment ${path} ends before byte ${end}`);
      filled += bytesRead;
    }
    return buf;
  } finally {
    await handle.close();
  }
}

/** Index of the first element of an ascending array that is >= value (length if none). */
export function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? Infinity) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** True when the file was last written at or after `sinceMs` (false when it is gone). */
export async function writtenSince(fs: JournalFs, path: string, sinceMs: number): Promise<boolean> {
  if (sinceMs === Infinity) return false;
  try {
    return (await fs.stat(path)).mtimeMs >= sinceMs;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}
