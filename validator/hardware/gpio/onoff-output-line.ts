import type { Logger } from 'pino';
import type { OutputLine } from '../ports.ts';
import type { GpioDriver, GpioPin } from './gpio-driver.ts';

export interface GpioOutputSettings {
  /** True when the device is energised by a low pin (most relay boards). */
  activeLow: boolean;
  /** The level `start()` and `stop()` drive (normally off: relay released, lights and buzzer off). */
  safeOn: boolean;
}

/** An output on a sysfs GPIO through onoff. `gpio` is the resolved sysfs number (chip base + line). */
export class OnoffOutputLine implements OutputLine {
  private pin: GpioPin | undefined;
  private level: boolean;
  private started = false;

  constructor(
    readonly name: string,
    private readonly driver: GpioDriver,
    private readonly gpio: number,
    private readonly settings: GpioOutputSettings,
    private readonly logger: Logger,
  ) {
    this.level = settings.safeOn;
  }

  get isOn(): boolean {
    return this.level;
  }

  async start(): Promise<void> {
    const { activeLow, safeOn } = this.settings;
    // Export with the direction that already *is* the safe level: 'out' means "output, pin low",
    // which energises an active-low relay board at construction. 'high'/'low' set the raw pin.
    // reconfigureDirection: false leaves an output that is already exported (after a restart)
    // untouched until the write below, so the line does not glitch on the way.
    const direction = safeOn !== activeLow ? 'high' : 'low';
    this.pin ??= new this.driver(this.gpio, direction, 'none', { activeLow, reconfigureDirection: false });
    // A crash leaves the last level latched in sysfs: drive the safe level explicitly.
    this.pin.writeSync(safeOn ? 1 : 0);
    this.level = safeOn;
    this.started = true;
    this.logger.info({ gpio: this.gpio, activeLow, safeOn }, 'output at its safe level');
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.pin === undefined) return;
    // Not unexported: on the Pi, freeing a line can return it to an input and leave the relay
    // board's input floating. The export keeps the safe level held after the process exits.
    this.pin.writeSync(this.settings.safeOn ? 1 : 0);
    this.level = this.settings.safeOn;
  }

  async set(on: boolean): Promise<void> {
    if (!this.started || this.pin === undefined) throw new Error(`output ${this.name} is not started`);
    this.pin.writeSync(on ? 1 : 0);
    this.level = on;
  }
}
