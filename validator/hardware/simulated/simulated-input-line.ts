import type { Logger } from 'pino';
import { ListenerSet } from '../listener-set.ts';
import type { InputLine, InputListener } from '../ports.ts';
import { systemTimers, type TimerHandle, type Timers } from '../timers.ts';
import { reportOrThrow } from './wait-for.ts';

export interface SimulatedInputLineOptions {
  /** Trailing debounce, as onoff's `debounceTimeout` (default 0 = none). */
  debounceMs?: number;
  /** The raw logical level before any `setLevel()` (default inactive). */
  initial?: boolean;
  timers?: Timers;
  /** Where a throwing listener is reported; without one the error propagates to the caller. */
  logger?: Logger;
}

/**
 * An input line a test or the simulator drives with `setLevel()`. Debounce has the real
 * driver's semantics: every edge restarts the timer; when the line has been stable for
 * `debounceMs` the level is sampled and reported if it differs from the last one reported.
 */
export class SimulatedInputLine implements InputLine {
  private raw: boolean;
  private stable: boolean;
  private started = false;
  private timer: TimerHandle | undefined;
  private readonly listeners: ListenerSet<boolean>;
  private readonly timers: Timers;

  constructor(
    readonly name: string,
    private readonly options: SimulatedInputLineOptions = {},
  ) {
    this.raw = options.initial ?? false;
    this.stable = this.raw;
    this.timers = options.timers ?? systemTimers;
    this.listeners = new ListenerSet(reportOrThrow(options.logger, 'input listener failed'));
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.stable = this.raw;
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
    this.cancelTimer();
  }

  read(): boolean {
    return this.stable;
  }

  onChange(listener: InputListener): () => void {
    return this.listeners.add(listener);
  }

  /** Sets the electrical (logical) level; an unchanged level is no edge and does nothing. */
  setLevel(active: boolean): void {
    if (active === this.raw) return;
    this.raw = active;
    if (!this.started) return;
    const debounceMs = this.options.debounceMs ?? 0;
    if (debounceMs <= 0) {
      this.settle();
      return;
    }
    this.cancelTimer();
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.settle();
    }, debounceMs);
  }

  /** The level on the wire right now (before debounce). */
  get rawLevel(): boolean {
    return this.raw;
  }

  private settle(): void {
    if (!this.started || this.raw === this.stable) return;
    this.stable = this.raw;
    this.listeners.emit(this.stable);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
