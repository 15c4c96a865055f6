/**
 * Opening a journal directory: the ack point, the seq reservation, recovery of the
 * segments, and where the seqs resume (seq-space.ts) — with the new reservation on disk
 * before the journal may hand out a single seq.
 */
import type { Logger } from 'pino';
import { readAckedSeq } from './ack-state.ts';
import type { JournalFs } from './journal-fs.ts';
import type { ResolvedJournalOptions } from './journal-options.ts';
import { recoverSegments } from './recovery.ts';
import { SegmentLog } from './segment-log.ts';
import { SeqReserver } from './seq-reserver.ts';
import { planSeqStart, readReservation, type SeqStart } from './seq-space.ts';

export interface OpenedJournal {
  files: SegmentLog;
  reserver: SeqReserver;
  plan: SeqStart;
  /** The persisted ack point (0: none). */
  ackedSeq: number;
}

/** `keepWrittenSinceMs`: acknowledged segments written since then stay (journal-options.ts). */
export async function openJournalFiles(fs: JournalFs, options: ResolvedJournalOptions, keepWrittenSinceMs: number, logger: Logger): Promise<OpenedJournal> {
  await fs.mkdir(options.dir);
  const storedAck = await readAckedSeq(fs, options.dir, logger);
  const ackedSeq = storedAck ?? 0;
  const reservation = await readReservation(fs, options.dir, logger);
  const { segments, highestSeq, anySegment } = await recoverSegments(fs, options.dir, ackedSeq, logger, keepWrittenSinceMs);
  const files = new SegmentLog(fs, options.dir, segments, options.segmentBytes, logger);
  const plan = planSeqStart({
    fresh: storedAck === undefined && reservation === undefined && !anySegment,
    lastDurable: Math.max(files.lastSeq, ackedSeq),
    highestSeen: Math.max(highestSeq, ackedSeq),
    reservation,
    nowMs: (options.wallClock ?? Date.now)(),
  });
  const reserver = new SeqReserver(fs, options.dir, options.reserveBlock, logger);
  // Durable before any seq is handed out, so a crash from here on resumes above it.
  await reserver.reserveFrom(plan.nextSeq);
  await files.open();
  return { files, reserver, plan, ackedSeq };
}
