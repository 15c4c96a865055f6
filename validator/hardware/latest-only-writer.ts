import { settleWithin, type Timers } from './timers.ts';

/**
 * Writes values in the background, one at a time, keeping only the latest value that arrived
 * during a write. This is what keeps a slow display off the gate's critical path: `push()`
 * returns at once, and a burst of texts costs one write for the first and one for the last.
 */
export class LatestOnlyWriter<T> {
  private pending: { value: T } | undefined;
  private lastWritten: { value: T } | undefined;
  private running: Promise<void> | undefined;
  private paused = true;

  constructor(
    private readonly write: (value: T) => Promise<void>,
    private readonly same: (a: T, b: T) => boolean,
    private readonly onError: (error: unknown, value: T) => void,
  ) {}

  /** Queues `value`, replacing any value not yet written. Never throws. */
  push(value: T): void {
    this.pending = { value };
    this.kick();
  }

  /** Starts writing (values pushed while paused are kept; only the latest is written). */
  resume(): void {
    this.paused = false;
    this.kick();
  }

  /**
   * Stops starting new writes and waits up to `timeoutMs` for the one in progress, so `stop()`
   * cannot hang on a wedged bus. Returns false when the write did not finish in time.
   */
  async pause(timers: Timers, timeoutMs: number): Promise<boolean> {
    this.paused = true;
    const running = this.running;
    return running === undefined ? true : settleWithin(timers, running, timeoutMs);
  }

  /** Forgets what was written, so the next push is written even if it is the same (after a device reset). */
  forgetWritten(): void {
    this.lastWritten = undefined;
  }

  /** Resolves when nothing is queued or being written (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private kick(): void {
    if (this.running !== undefined || this.paused || this.pending === undefined) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // A push may have landed between the loop's last check and this callback.
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending !== undefined && !this.paused) {
      const { value } = this.pending;
      this.pending = undefined;
      if (this.lastWritten !== undefined && this.same(this.lastWritten.value, value)) continue;
      try {
        await this.write(value);
        this.lastWritten = { value };
      } catch (error) {
        this.lastWritten = undefined;
        try {
          this.onError(error, value);
        } catch {
          // The error reporter itself failed (e.g. a broken log stream); nothing left to tell.
        }
      }
    }
  }
}
