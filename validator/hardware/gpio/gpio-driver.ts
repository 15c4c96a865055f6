/**
 * The part of onoff's API the GPIO lines use, as structural types: the real `Gpio` class is
 * checked against them in the composition file, and tests pass a fake without loading the
 * native `epoll` addon.
 */
export type GpioBit = 0 | 1;
export type GpioDirection = 'in' | 'out' | 'high' | 'low';
export type GpioEdge = 'none' | 'rising' | 'falling' | 'both';

export interface GpioOptions {
  debounceTimeout?: number;
  activeLow?: boolean;
  reconfigureDirection?: boolean;
}

/** One exported sysfs GPIO (an onoff `Gpio` instance). Values are logical (active_low applied by the kernel). */
export interface GpioPin {
  readSync(): GpioBit;
  writeSync(value: GpioBit): void;
  watch(callback: (error: Error | null | undefined, value: GpioBit) => void): void;
  unwatchAll(): void;
  unexport(): void;
}

/** onoff's `Gpio` class: constructing one exports and configures the pin. */
export interface GpioDriver {
  new (gpio: number, direction: GpioDirection, edge?: GpioEdge, options?: GpioOptions): GpioPin;
  /** False when `/sys/class/gpio/export` cannot be written (no sysfs GPIO, or no permission). */
  readonly accessible: boolean;
}
