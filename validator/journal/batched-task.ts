/**
 * Runs an async task `delayMs` after the first request that finds it idle, and serves
 * every request made until then with that one run. This is the journal's group commit
 * (one write + fdatasync for all taps of a commit interval) and its coalesced
 * ack-point write. A request's promise resolves only after a run that *started after*
 * the request succeeded; a failed run keeps its requests waiting and retries with
 * backoff, because a tap that is not yet durable must not be reported as lost or kept.
 */
const MIN_RETRY_MS = 50;
const MAX_RETRY_MS = 5_000;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class BatchedTask {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private active: Promise<void> | undefined;
  private waiting: Waiter[] = [];
  private failures = 0;
  private due = false;
  private closing = false;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly delayMs: number,
    private readonly onError: (error: unknown, failures: number) => void,
  ) {}

  /** Resolves once a run that began after this call has succeeded. */
  request(): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    // Callers may ignore the promise (the gate never waits for the disk): a rejection at
    // close must not become an unhandled rejection that kills the validator.
    void promise.catch(() => {});
    this.schedule(this.delayMs);
    return promise;
  }

  /** Cancels the timer and runs until every request so far is served; for stop(). */
  async flush(): Promise<void> {
    this.closing = true;
    this.clearTimer();
    while (this.active) await this.active;
    if (this.waiting.length === 0) return;
    const batch = this.takeWaiting();
    try {
      await this.run();
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
      throw error;
    }
    for (const waiter of batch) waiter.resolve();
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || this.closing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A slow card: the interval of the requests made during the active run is over,
      // so that run starts the next one as soon as it ends (classic group commit).
      if (this.active) this.due = true;
      else this.start();
    }, delayMs);
  }

  private start(): void {
    this.active = this.runOnce().finally(() => {
      this.active = undefined;
      if (this.due && !this.closing) {
        this.due = false;
        this.start();
      }
    });
  }

  private async runOnce(): Promise<void> {
    const batch = this.takeWaiting();
    try {
      await this.run();
    } catch (error) {
      this.failures++;
      this.waiting = batch.concat(this.waiting);
      this.onError(error, this.failures);
      this.due = false;
      this.clearTimer();
      const base = Math.max(this.delayMs, MIN_RETRY_MS);
      this.schedule(Math.min(base * 2 ** (this.failures - 1), MAX_RETRY_MS));
      return;
    }
    this.failures = 0;
    for (const waiter of batch) waiter.resolve();
  }

  private takeWaiting(): Waiter[] {
    const batch = this.waiting;
    this.waiting = [];
    return batch;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
