/**
 * Opening a journal after a clean stop, a kill -9 or a power cut: index every segment
 * that still holds unacknowledged records, truncate a torn tail off the last one, and
 * find the highest sequence number that may ever have been handed out, so none is
 * issued twice.
 */
import type { Logger } from 'pino';
import { isMissing, type JournalFs } from './journal-fs.ts';
import { listSegments, scanSegment, writtenSince, type Segment, type SegmentScan } from './segment-files.ts';

export interface Recovered {
  /** Oldest first; the last one is the hot segment that appends continue. */
  segments: Segment[];
  /** Highest seq seen in any record or segment name (0 for an empty journal). */
  highestSeq: number;
  /** Whether any segment file was found. */
  anySegment: boolean;
}

/** Acknowledged segments last written at or after `keepWrittenSinceMs` are kept and indexed. */
export async function recoverSegments(fs: JournalFs, dir: string, ackedSeq: number, logger: Logger, keepWrittenSinceMs = Infinity): Promise<Recovered> {
  const files = await listSegments(fs, dir);
  const segments: Segment[] = [];
  let highestSeq = 0;
  for (const [index, file] of files.entries()) {
    // The segment's first seq was handed out when the segment was created.
    highestSeq = Math.max(highestSeq, file.baseSeq);
    const next = files[index + 1];
    if (next && next.baseSeq <= ackedSeq + 1 && !(await writtenSince(fs, file.path, keepWrittenSinceMs))) {
      // Compaction was interrupted, or the unlink did not reach the card: every record
      // here is below the next segment's name, hence acknowledged.
      await unlinkIfPresent(fs, file.path);
      continue;
    }
    const scan = await scanSegment(fs, file.path);
    highestSeq = Math.max(highestSeq, scan.seqs.at(-1) ?? 0, scan.highestBeyondDamage);
    if (scan.validEnd < scan.fileSize) await dropDamage(fs, file.path, scan, next === undefined, logger);
    segments.push({ path: file.path, baseSeq: file.baseSeq, seqs: scan.seqs, offsets: scan.offsets, size: scan.validEnd });
  }
  return { segments, highestSeq, anySegment: files.length > 0 };
}

async function dropDamage(fs: JournalFs, path: string, scan: SegmentScan, isLast: boolean, logger: Logger): Promise<void> {
  const context = {
    segment: path,
    validBytes: scan.validEnd,
    droppedBytes: scan.fileSize - scan.validEnd,
    lastGoodSeq: scan.seqs.at(-1) ?? null,
    // Intact frames after damage come from a batch whose fdatasync never completed (the
    // card wrote its pages out of order) or from later damage; either way they cannot be
    // trusted as a sequence. Their seqs are retired, never reissued.
    droppedIntactRecords: scan.intactBeyondDamage,
    highestDroppedSeq: scan.highestBeyondDamage || null,
  };
  if (!isLast) {
    // Sealed segments are never rewritten: the damage stays, readers stop before it,
    // and the gateway's gap report shows the missing sequence numbers.
    logger.error(context, 'damaged record in a sealed journal segment; records after it are unreadable');
    return;
  }
  if (scan.intactBeyondDamage > 0) logger.error(context, 'journal tail damaged; truncating');
  else logger.warn(context, 'torn journal tail (interrupted write); truncating');
  const handle = await fs.open(path, 'r+');
  try {
    await handle.truncate(scan.validEnd);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

async function unlinkIfPresent(fs: JournalFs, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}
