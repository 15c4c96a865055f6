import type { Logger } from 'pino';
import { DEFAULT_DISPLAY_COLS, DEFAULT_DISPLAY_ROWS, fitDisplayRows } from '../display-text.ts';
import { LatestOnlyWriter } from '../latest-only-writer.ts';
import { ListenerSet } from '../listener-set.ts';
import type { Display } from '../ports.ts';
import { systemTimers, type Timers } from '../timers.ts';
import { reportOrThrow, waitFor } from './wait-for.ts';

export interface SimulatedDisplayOptions {
  cols?: number;
  rows?: number;
  timers?: Timers;
  logger?: Logger;
}

/** How long `stop()` waits for a write in progress (a held display) before giving up. */
const STOP_WAIT_MS = 1000;

/**
 * A display that records what reached the screen, fitted exactly as the LCD fits it. `hold()`
 * makes it slow (writes wait until `release()`), to check that nothing upstream waits for it.
 */
export class SimulatedDisplay implements Display {
  /** Every frame that reached the screen, in order. */
  readonly frames: string[][] = [];
  private screen: string[];
  private held: { promise: Promise<void>; release: () => void } | undefined;
  private stopped = false;
  private readonly changes: ListenerSet<void>;
  private readonly writer: LatestOnlyWriter<string[]>;
  private readonly timers: Timers;

  constructor(
    readonly name: string,
    private readonly options: SimulatedDisplayOptions = {},
  ) {
    this.timers = options.timers ?? systemTimers;
    this.screen = this.fit([]);
    this.changes = new ListenerSet(reportOrThrow(options.logger, 'display listener failed'));
    this.writer = new LatestOnlyWriter(
      (rows) => this.draw(rows),
      (a, b) => a.join('\n') === b.join('\n'),
      (error) => options.logger?.error({ err: error }, 'display write failed'),
    );
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.writer.resume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.writer.pause(this.timers, STOP_WAIT_MS);
  }

  show(line1: string, line2 = ''): void {
    if (this.stopped) return;
    this.writer.push(this.fit([line1, line2]));
  }

  /** The rows on the screen now (padded to the width). */
  get text(): readonly string[] {
    return this.screen;
  }

  /** Makes the display slow: writes block until `release()`. */
  hold(): void {
    if (this.held !== undefined) return;
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = { promise, release };
  }

  release(): void {
    this.held?.release();
    this.held = undefined;
  }

  /** Resolves when nothing is queued or being written. */
  idle(): Promise<void> {
    return this.writer.idle();
  }

  /** Resolves when the screen (trimmed rows) satisfies `predicate`, rejects after `timeoutMs`. */
  waitForText(predicate: (rows: string[]) => boolean, timeoutMs: number): Promise<string[]> {
    const trimmed = (): string[] => this.screen.map((row) => row.trimEnd());
    return waitFor({
      subscribe: (notify) => this.changes.add(notify),
      check: () => (predicate(trimmed()) ? trimmed() : undefined),
      timeoutMs,
      timers: this.timers,
      what: `text on display ${this.name}`,
    });
  }

  private fit(lines: string[]): string[] {
    return fitDisplayRows(lines, this.options.cols ?? DEFAULT_DISPLAY_COLS, this.options.rows ?? DEFAULT_DISPLAY_ROWS);
  }

  private async draw(rows: string[]): Promise<void> {
    while (this.held !== undefined) await this.held.promise;
    this.screen = rows;
    this.frames.push(rows);
    this.changes.emit();
  }
}
