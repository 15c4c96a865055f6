import type { Logger } from 'pino';
import { ListenerSet } from '../listener-set.ts';
import type { CodeListener, QrReader } from '../ports.ts';
import { DEFAULT_REPEAT_WINDOW_MS, RepeatFilter } from '../repeat-filter.ts';
import { systemTimers, type Timers } from '../timers.ts';
import { reportOrThrow } from './wait-for.ts';

export interface SimulatedQrReaderOptions {
  repeatWindowMs?: number;
  timers?: Timers;
  /** Where a throwing listener is reported; without one the error propagates to `present()`. */
  logger?: Logger;
}

/** A reader the simulator and tests feed with `present(text)`, one call per read of the code. */
export class SimulatedQrReader implements QrReader {
  private started = false;
  private readonly filter: RepeatFilter;
  private readonly listeners: ListenerSet<string>;

  constructor(
    readonly name: string,
    options: SimulatedQrReaderOptions = {},
  ) {
    this.filter = new RepeatFilter(options.repeatWindowMs ?? DEFAULT_REPEAT_WINDOW_MS, options.timers ?? systemTimers);
    this.listeners = new ListenerSet(reportOrThrow(options.logger, 'code listener failed'));
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
    this.filter.reset();
  }

  onCode(listener: CodeListener): () => void {
    return this.listeners.add(listener);
  }

  /** One read of `text` by the reader. Returns whether it was reported (false: stopped, or a repeat). */
  present(text: string): boolean {
    if (!this.started || !this.filter.accept(text)) return false;
    this.listeners.emit(text);
    return true;
  }
}
