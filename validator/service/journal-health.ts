/**
 * The journal's health governs admission (issue 8): records uncommitted longer than a
 * bound (default 1 s), a journal that cannot hand out a seq, or one that could not open
 * at all is a fault; the service then takes the gate out of service and says why
 * (healthz, state topic, metric, log). Checked on a short timer, so the gate closes
 * within the bound plus one check; it clears by itself once commits succeed again. A
 * journal that failed to open is retried until it opens.
 */
import type { Logger } from 'pino';

export interface WatchedJournal {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly isOpen: boolean;
  readonly appendable: boolean;
  uncommittedAgeMs(): number;
  readonly lastError: unknown;
}

export interface JournalHealthOptions {
  /** Records may wait this long for their fdatasync before the gate closes, ms. */
  maxUncommittedMs: number;
  /** How often to check, ms; default a quarter of the bound, at most 100. */
  checkIntervalMs?: number;
  /** How often to retry opening a journal that failed to open, ms. */
  reopenIntervalMs?: number;
}

export interface JournalHealthEvents {
  /** The fault text, or undefined when healthy again. Called on every change only. */
  onFault(fault: string | undefined): void;
  /**
   * The journal opened (at start, or late after failures). Awaited before the gate may
   * admit anyone: what is read back from the journal (anti-passback) must be in first.
   */
  onOpened(): void | Promise<void>;
}

export class JournalHealth {
  private checkTimer: NodeJS.Timeout | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private openFailure: string | undefined;
  private current: string | undefined;
  private stopped = false;

  constructor(
    private readonly journal: WatchedJournal,
    private readonly options: JournalHealthOptions,
    private readonly events: JournalHealthEvents,
    private readonly logger: Logger,
  ) {}

  /** The current fault, undefined while healthy. */
  get fault(): string | undefined {
    return this.current;
  }

  /** Opens the journal; a failure is a fault (the gate stays closed), not a thrown error. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.open();
    const every = this.options.checkIntervalMs ?? Math.min(100, Math.max(10, Math.floor(this.options.maxUncommittedMs / 4)));
    this.checkTimer = setInterval(() => this.check(), every);
    this.checkTimer.unref();
  }

  /** Stops watching and closes the journal; rejects when records were never made durable. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.checkTimer);
    clearTimeout(this.reopenTimer);
    if (this.journal.isOpen) await this.journal.stop();
  }

  /** Re-evaluates now (also run by the timer). */
  check(): void {
    const fault = this.diagnose();
    if (fault === this.current) return;
    this.current = fault;
    if (fault === undefined) this.logger.info('journal healthy again: the gate admits riders');
    else this.logger.error({ fault }, 'journal fault: the gate is out of service');
    this.events.onFault(fault);
  }

  private diagnose(): string | undefined {
    if (this.openFailure !== undefined) return `journal cannot open: ${this.openFailure}`;
    const { journal } = this;
    const why = (journal.lastError as Error | undefined)?.message;
    const age = journal.uncommittedAgeMs();
    if (age > this.options.maxUncommittedMs) {
      return `journal records uncommitted for ${Math.round(age)} ms (bound ${this.options.maxUncommittedMs} ms)${why ? `: ${why}` : ''}`;
    }
    if (journal.isOpen && !journal.appendable) return `journal cannot reserve sequence numbers${why ? `: ${why}` : ''}`;
    return undefined;
  }

  private async open(): Promise<void> {
    try {
      await this.journal.start();
    } catch (error) {
      this.openFailure = (error as Error).message;
      this.logger.fatal({ err: error }, 'journal cannot open: the gate stays out of service; retrying');
      this.check();
      if (!this.stopped) {
        this.reopenTimer = setTimeout(() => void this.open(), this.options.reopenIntervalMs ?? 5000);
        this.reopenTimer.unref();
      }
      return;
    }
    try {
      await this.events.onOpened();
    } catch (error) {
      this.logger.error({ err: error }, 'journal opened, but reading it back failed');
    }
    this.openFailure = undefined; // only now may the periodic check let the gate admit
    this.check();
  }
}
