/**
 * Sequence numbers are never reused: not after a crash, a power cut, a failed disk or a
 * replaced card (issue 8). Two mechanisms:
 *
 *  - A reservation file. Before append() hands out a seq above the last reservation, a
 *    new one (a block ahead) is on disk; it is extended in the background long before
 *    it runs out. After a crash the journal resumes above the reservation, and every seq
 *    between the last durable record and the reservation's end is declared a possible
 *    loss: taps decided in the last moments were in that range, or nothing was.
 *  - A time-based start on storage that knows nothing of the past (a new, wiped or
 *    replaced card, or a reservation file lost). The journal cannot learn offline which
 *    seqs an earlier card used, so it starts at (Unix seconds × 2^20): above every seq a
 *    journal started earlier can have reached, unless that one handed out more than a
 *    million seqs per second of its life, and below 2^53 until the year 2242. The range
 *    below is declared lost as 'state_lost'. A device clock far behind could still
 *    collide with seqs already in the ledger; the gateway then refuses the records as
 *    `seq_conflict`, keeps both and raises an alarm, and the journal moves above the
 *    gateway's highest seq (never silent).
 */
import type { Logger } from 'pino';
import type { LossReason } from '../../protocol/uplink/tap-record.ts';
import { readIfPresent, writeDurably } from './durable-file.ts';
import type { JournalFs } from './journal-fs.ts';

export const RESERVATION_FILE = 'seq-reservation.json';

/** A range of seqs the journal declares lost, and why. */
export interface DeclaredLoss {
  from: number;
  to: number;
  reason: LossReason;
}

export interface Reservation {
  /** No seq above this was handed out by the journal that wrote it. */
  reservedThrough: number;
  /** How the writer stopped: 'clean' (everything committed) or 'journal_failed'. */
  stoppedWith?: 'clean' | 'journal_failed';
}

interface ReservationFileV1 extends Reservation {
  version: 1;
}

const SEQS_PER_SECOND = 2 ** 20;

/** The first seq of a journal on storage without a past, from the wall clock. */
export function timeBasedFirstSeq(nowMs: number): number {
  return Math.max(1, Math.floor(nowMs / 1000) * SEQS_PER_SECOND);
}

/** undefined: no file; 'unreadable': the file is damaged. */
export async function readReservation(fs: JournalFs, dir: string, logger: Logger): Promise<Reservation | 'unreadable' | undefined> {
  const text = await readIfPresent(fs, dir, RESERVATION_FILE);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<ReservationFileV1> | null;
    if (value?.version === 1 && Number.isSafeInteger(value.reservedThrough) && (value.reservedThrough ?? -1) >= 0) {
      return { reservedThrough: value.reservedThrough!, ...(value.stoppedWith && { stoppedWith: value.stoppedWith }) };
    }
  } catch {
    // fall through
  }
  logger.error({ file: RESERVATION_FILE }, 'seq reservation file unreadable; treating the journal as having lost its state');
  return 'unreadable';
}

export async function writeReservation(fs: JournalFs, dir: string, reservation: Reservation): Promise<void> {
  const file: ReservationFileV1 = { version: 1, ...reservation };
  await writeDurably(fs, dir, RESERVATION_FILE, `${JSON.stringify(file)}\n`);
}

export interface SeqStartInput {
  /** Neither segments, nor an ack point, nor a reservation: storage without a past. */
  fresh: boolean;
  /** Highest seq durable in the journal or acknowledged by the gateway (0: none). */
  lastDurable: number;
  /** Highest seq seen anywhere on disk, damaged tails and segment names included. */
  highestSeen: number;
  reservation: Reservation | 'unreadable' | undefined;
  nowMs: number;
}

export interface SeqStart {
  /** The seq of the first record after the start (the loss record, if there is one). */
  nextSeq: number;
  loss?: DeclaredLoss;
}

/** Where a journal resumes, and which range it must declare lost. Pure. */
export function planSeqStart(input: SeqStartInput): SeqStart {
  const { lastDurable, highestSeen, reservation } = input;
  if (input.fresh || reservation === undefined || reservation === 'unreadable') {
    // No record of how far the seqs went: jump to the clock's seq, above what is on disk.
    const nextSeq = Math.max(highestSeen + 1, timeBasedFirstSeq(input.nowMs));
    return withLoss(nextSeq, lastDurable + 1, nextSeq - 1, 'state_lost');
  }
  const top = Math.max(highestSeen, reservation.reservedThrough);
  // A clean stop committed everything it handed out; seqs missing below were declared then.
  if (reservation.stoppedWith === 'clean') return { nextSeq: top + 1 };
  return withLoss(top + 1, lastDurable + 1, top, reservation.stoppedWith === 'journal_failed' ? 'journal_failed' : 'crash');
}

function withLoss(nextSeq: number, from: number, to: number, reason: LossReason): SeqStart {
  return from <= to ? { nextSeq, loss: { from, to, reason } } : { nextSeq };
}
