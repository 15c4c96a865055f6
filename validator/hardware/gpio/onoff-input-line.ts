import type { Logger } from 'pino';
import { ListenerSet } from '../listener-set.ts';
import type { InputLine, InputListener } from '../ports.ts';
import type { GpioDriver, GpioPin } from './gpio-driver.ts';

export interface GpioInputSettings {
  /** True when the contact pulls the pin low when active (open-collector beams, NC alarm contacts wired that way). */
  activeLow: boolean;
  /** Trailing debounce in ms (onoff `debounceTimeout`): an event once the line has been stable this long. */
  debounceMs: number;
}

/** An input on a sysfs GPIO through onoff, watched on both edges. */
export class OnoffInputLine implements InputLine {
  private pin: GpioPin | undefined;
  private stable = false;
  private readonly listeners: ListenerSet<boolean>;

  constructor(
    readonly name: string,
    private readonly driver: GpioDriver,
    private readonly gpio: number,
    private readonly settings: GpioInputSettings,
    private readonly logger: Logger,
  ) {
    this.listeners = new ListenerSet((error) => this.logger.error({ err: error }, 'input listener failed'));
  }

  async start(): Promise<void> {
    if (this.pin !== undefined) return;
    const { activeLow, debounceMs } = this.settings;
    const pin = new this.driver(this.gpio, 'in', 'both', { activeLow, debounceTimeout: debounceMs });
    this.pin = pin;
    this.stable = pin.readSync() === 1;
    pin.watch((error, value) => {
      if (error) {
        this.logger.error({ err: error }, 'input watch failed');
        return;
      }
      // onoff reports every debounced interrupt on 'both' edges, even a glitch that ended at the
      // level we already had: report only real changes.
      const active = value === 1;
      if (active === this.stable) return;
      this.stable = active;
      this.listeners.emit(active);
    });
    this.logger.info({ gpio: this.gpio, activeLow, debounceMs, active: this.stable }, 'input watched');
  }

  async stop(): Promise<void> {
    const pin = this.pin;
    this.pin = undefined;
    if (pin === undefined) return;
    pin.unwatchAll();
    pin.unexport();
  }

  read(): boolean {
    return this.stable;
  }

  onChange(listener: InputListener): () => void {
    return this.listeners.add(listener);
  }
}
