import type { Logger } from 'pino';
import { DEFAULT_DISPLAY_COLS, DEFAULT_DISPLAY_ROWS, fitDisplayRows } from '../display-text.ts';
import { LatestOnlyWriter } from '../latest-only-writer.ts';
import type { Display } from '../ports.ts';
import { sleep, systemTimers, type Timers } from '../timers.ts';
import { describeI2cFailure, hex, withI2cRetries, type I2cBus } from './i2c-bus.ts';
import {
  checkBitMap,
  DEFAULT_PCF_BIT_MAP,
  DEFAULT_ROW_ADDRESSES,
  lcdFrameOps,
  lcdInitOps,
  type LcdOp,
  type PcfBitMap,
} from './lcd-bytes.ts';

export interface LcdSettings {
  busNumber: number;
  /** PCF8574 backpacks sit at 0x20-0x27 (0x27 typical) or, PCF8574A, 0x38-0x3F (0x3F typical). */
  address: number;
  cols: number;
  rows: number;
  bitMap: PcfBitMap;
  rowAddresses: readonly number[];
  backlight: boolean;
  /** Attempts per I2C write on a transient error. */
  attempts: number;
}

export const DEFAULT_LCD_SETTINGS = {
  busNumber: 1,
  address: 0x27,
  cols: DEFAULT_DISPLAY_COLS,
  rows: DEFAULT_DISPLAY_ROWS,
  bitMap: DEFAULT_PCF_BIT_MAP,
  rowAddresses: DEFAULT_ROW_ADDRESSES,
  backlight: true,
  attempts: 3,
} as const satisfies LcdSettings;

/** How long `stop()` waits for a write in progress. */
const STOP_WAIT_MS = 1000;

/** An HD44780 character LCD behind a PCF8574 backpack. Writes run in the background, coalesced. */
export class LcdDisplay implements Display {
  private stopped = false;
  private needsInit = true;
  private failing = false;
  private readonly writer: LatestOnlyWriter<string[]>;

  constructor(
    readonly name: string,
    private readonly bus: I2cBus,
    private readonly settings: LcdSettings,
    private readonly logger: Logger,
    private readonly timers: Timers = systemTimers,
  ) {
    this.writer = new LatestOnlyWriter(
      (rows) => this.draw(rows),
      (a, b) => a.join('\n') === b.join('\n'),
      (error) => this.reportFailure(error),
    );
  }

  /** Checks the settings, initialises the display (which probes it), then lets queued text through. */
  async start(): Promise<void> {
    const { bitMap, rows, rowAddresses } = this.settings;
    checkBitMap(bitMap);
    if (rowAddresses.length < rows) throw new Error(`display has ${rows} rows but ${rowAddresses.length} row addresses`);
    try {
      await this.run(lcdInitOps(bitMap, this.settings.backlight));
    } catch (error) {
      throw describeI2cFailure(error, { ...this.settings, device: 'character display' });
    }
    this.needsInit = false;
    this.stopped = false;
    this.writer.forgetWritten(); // the init cleared the screen
    this.writer.resume();
    this.logger.info({ address: hex(this.settings.address), cols: this.settings.cols, rows }, 'display ready');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (!(await this.writer.pause(this.timers, STOP_WAIT_MS))) {
      this.logger.warn({ waitedMs: STOP_WAIT_MS }, 'display write still in progress at stop');
    }
  }

  show(line1: string, line2 = ''): void {
    if (this.stopped) return;
    this.writer.push(fitDisplayRows([line1, line2], this.settings.cols, this.settings.rows));
  }

  private async draw(rows: string[]): Promise<void> {
    const { bitMap, backlight, rowAddresses } = this.settings;
    try {
      if (this.needsInit) await this.run(lcdInitOps(bitMap, backlight));
      this.needsInit = false;
      await this.run(lcdFrameOps(rows, bitMap, backlight, rowAddresses));
    } catch (error) {
      // A transfer that failed half way leaves the LCD between nibbles: resynchronise next time.
      this.needsInit = true;
      throw error;
    }
    if (this.failing) this.logger.info('display writing again');
    this.failing = false;
  }

  private reportFailure(error: unknown): void {
    // Log the first failure of a streak only; every later show would repeat it.
    if (!this.failing) this.logger.error({ err: error }, 'display write failed; will retry on the next text');
    this.failing = true;
  }

  private async run(ops: readonly LcdOp[]): Promise<void> {
    const { address, attempts } = this.settings;
    for (const op of ops) {
      if ('waitMs' in op) {
        await sleep(this.timers, op.waitMs);
        continue;
      }
      const buffer = Buffer.from(op.write);
      await withI2cRetries(() => this.bus.i2cWrite(address, buffer.length, buffer), attempts);
    }
  }
}
