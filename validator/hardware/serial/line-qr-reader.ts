import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { ListenerSet } from '../listener-set.ts';
import type { CodeListener, QrReader } from '../ports.ts';
import { DEFAULT_REPEAT_WINDOW_MS, RepeatFilter } from '../repeat-filter.ts';
import { systemTimers, type Timers } from '../timers.ts';
import { LineSplitter } from './line-splitter.ts';

/** An opened byte stream and how to release it (stdin is paused, a device is closed). */
export interface LineSource {
  stream: Readable;
  close(): Promise<void> | void;
}

export interface LineQrReaderSettings {
  /** Longer lines are dropped: a level-2 rotating code is about 435 characters, so 2048 is generous. */
  maxLineLength: number;
  repeatWindowMs: number;
}

export const DEFAULT_LINE_QR_SETTINGS = {
  maxLineLength: 2048,
  repeatWindowMs: DEFAULT_REPEAT_WINDOW_MS,
} as const satisfies LineQrReaderSettings;

/**
 * A serial/USB 2D scanner (or stdin) that sends each code as one line. This is the reader for
 * gates that must read level-2 rotating codes, which do not fit the I2C module's 254 bytes.
 */
export class LineQrReader implements QrReader {
  private source: LineSource | undefined;
  private splitter: LineSplitter;
  private readonly filter: RepeatFilter;
  private readonly listeners: ListenerSet<string>;

  constructor(
    readonly name: string,
    private readonly open: () => Promise<LineSource>,
    private readonly settings: LineQrReaderSettings,
    private readonly logger: Logger,
    timers: Timers = systemTimers,
  ) {
    this.splitter = new LineSplitter(settings.maxLineLength);
    this.filter = new RepeatFilter(settings.repeatWindowMs, timers);
    this.listeners = new ListenerSet((error) => this.logger.error({ err: error }, 'code listener failed'));
  }

  /** Opens the source; rejects with the opener's message when the device is missing. */
  async start(): Promise<void> {
    if (this.source !== undefined) return;
    const source = await this.open();
    this.source = source;
    this.splitter = new LineSplitter(this.settings.maxLineLength);
    source.stream.on('data', this.onData);
    source.stream.on('error', this.onError);
    source.stream.on('end', this.onEnd);
    this.logger.info({ maxLineLength: this.settings.maxLineLength }, 'line scanner reading');
  }

  async stop(): Promise<void> {
    const source = this.source;
    this.source = undefined;
    this.filter.reset();
    if (source === undefined) return;
    source.stream.off('data', this.onData);
    source.stream.off('end', this.onEnd);
    // The error listener stays: an error emitted while closing must not crash the process.
    await source.close();
  }

  onCode(listener: CodeListener): () => void {
    return this.listeners.add(listener);
  }

  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    for (const event of this.splitter.push(bytes)) {
      if (event.kind === 'dropped') this.logger.warn({ reason: event.reason }, 'scanner line dropped');
      else if (this.filter.accept(event.text)) this.listeners.emit(event.text);
    }
  };

  private readonly onError = (error: Error): void => {
    this.logger.error({ err: error }, 'scanner stream failed; no more codes will be read');
  };

  private readonly onEnd = (): void => {
    this.logger.warn('scanner stream ended; no more codes will be read');
  };
}
