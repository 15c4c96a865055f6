/**
 * Keeps the durable seq reservation (seq-space.ts) a block ahead of the journal's next
 * seq, writing it in the background so append() never waits for the card. A seq above
 * the durable reservation is never handed out: with the card too slow or failing to
 * extend it, append() refuses (and the journal's health closes the gate) rather than
 * issuing a seq a crash could bring back.
 */
import type { Logger } from 'pino';
import type { JournalFs } from './journal-fs.ts';
import { writeReservation, type Reservation } from './seq-space.ts';

export class SeqReserver {
  private durableThrough = 0;
  private writing: Promise<void> | undefined;
  private lastError: unknown;

  constructor(
    private readonly fs: JournalFs,
    private readonly dir: string,
    private readonly blockSize: number,
    private readonly logger: Logger,
  ) {}

  /** Every seq up to this may be handed out. */
  get reservedThrough(): number {
    return this.durableThrough;
  }

  /** The last failed extension, cleared by the next success. */
  get error(): unknown {
    return this.lastError;
  }

  /** Writes a reservation for a block starting at `nextSeq` and waits for it (start-up). */
  async reserveFrom(nextSeq: number): Promise<void> {
    const through = nextSeq - 1 + this.blockSize;
    await writeReservation(this.fs, this.dir, { reservedThrough: through });
    this.durableThrough = through;
    this.lastError = undefined;
  }

  /** After `nextSeq` became the next seq: extends in the background when less than half a block is left. */
  keepAhead(nextSeq: number): void {
    if (this.writing || this.durableThrough - nextSeq + 1 > this.blockSize / 2) return;
    this.writing = this.reserveFrom(nextSeq)
      .catch((error: unknown) => {
        this.lastError = error;
        this.logger.error({ err: error, reservedThrough: this.durableThrough }, 'seq reservation not written; retrying with the next record');
      })
      .finally(() => {
        this.writing = undefined;
      });
  }

  /** Waits for an extension in progress (stop). */
  async settle(): Promise<void> {
    await this.writing;
  }

  /** The last word before closing: a clean stop shrinks the reservation to what is committed. */
  async close(final: Reservation): Promise<void> {
    await this.settle();
    await writeReservation(this.fs, this.dir, final);
    this.durableThrough = final.reservedThrough;
  }
}
