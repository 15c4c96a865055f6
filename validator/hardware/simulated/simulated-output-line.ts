import type { Logger } from 'pino';
import { ListenerSet } from '../listener-set.ts';
import type { OutputLine } from '../ports.ts';
import { systemTimers, type Timers } from '../timers.ts';
import { reportOrThrow, waitFor } from './wait-for.ts';

export interface SimulatedOutputLineOptions {
  /** The level `start()` and `stop()` drive (default off). */
  safeOn?: boolean;
  /** The level before `start()`, e.g. left by a crashed process (default off). */
  leftoverOn?: boolean;
  timers?: Timers;
  /** Where a throwing listener is reported; without one the error propagates to the caller. */
  logger?: Logger;
}

/** One change of a simulated output, with the (monotonic) time it happened. */
export interface OutputChange {
  on: boolean;
  at: number;
}

/** An output line the simulator and tests can watch: a relay, light or buzzer with a history. */
export class SimulatedOutputLine implements OutputLine {
  readonly history: OutputChange[] = [];
  private level: boolean;
  private started = false;
  private readonly changes: ListenerSet<boolean>;
  private readonly timers: Timers;

  constructor(
    readonly name: string,
    private readonly options: SimulatedOutputLineOptions = {},
  ) {
    this.level = options.leftoverOn ?? false;
    this.timers = options.timers ?? systemTimers;
    this.changes = new ListenerSet(reportOrThrow(options.logger, 'output listener failed'));
  }

  get isOn(): boolean {
    return this.level;
  }

  async start(): Promise<void> {
    this.drive(this.options.safeOn ?? false);
    this.started = true;
  }

  async stop(): Promise<void> {
    this.drive(this.options.safeOn ?? false);
    this.started = false;
  }

  async set(on: boolean): Promise<void> {
    if (!this.started) throw new Error(`output ${this.name} is not started`);
    this.drive(on);
  }

  /** Reports every commanded level (also repeats), for the simulator's view of the gate. */
  onChange(listener: (on: boolean) => void): () => void {
    return this.changes.add(listener);
  }

  /** Resolves when the level satisfies `predicate` (now or later), rejects after `timeoutMs`. */
  waitFor(predicate: (on: boolean) => boolean, timeoutMs: number): Promise<boolean> {
    return waitFor({
      subscribe: (notify) => this.changes.add(notify),
      check: () => (predicate(this.level) ? this.level : undefined),
      timeoutMs,
      timers: this.timers,
      what: `output ${this.name}`,
    });
  }

  private drive(on: boolean): void {
    this.level = on;
    this.history.push({ on, at: this.timers.now() });
    this.changes.emit(on);
  }
}
