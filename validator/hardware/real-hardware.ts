/**
 * The composition file for real gate hardware: the only place that loads onoff and i2c-bus, with
 * a dynamic import() so tests and the simulator never load the native addons. Tests replace the
 * loaders through `deps`.
 */
import type { Logger } from 'pino';
import { composeGateHardware } from './gate-hardware.ts';
import { assertGpioAccessible, DEFAULT_GPIO_CHIP_LABELS, DEFAULT_SYSFS_GPIO_ROOT, gpioNumber, resolveGpioChip, type GpioChip } from './gpio/gpio-chip.ts';
import type { GpioDriver } from './gpio/gpio-driver.ts';
import { OnoffInputLine } from './gpio/onoff-input-line.ts';
import { OnoffOutputLine } from './gpio/onoff-output-line.ts';
import { DEFAULT_INPUT_DEBOUNCE_MS, type DisplayConfig, type QrReaderConfig, type RealHardwareConfig } from './hardware-config.ts';
import type { I2cBus } from './i2c/i2c-bus.ts';
import { DEFAULT_I2C_QR_SETTINGS, I2cQrReader } from './i2c/i2c-qr-reader.ts';
import { DEFAULT_LCD_SETTINGS, LcdDisplay } from './i2c/lcd-display.ts';
import type { Display, GateHardware, QrReader } from './ports.ts';
import { DEFAULT_LINE_QR_SETTINGS, LineQrReader, type LineSource } from './serial/line-qr-reader.ts';
import { openDeviceLineSource, stdinLineSource } from './serial/open-line-source.ts';
import { SimulatedDisplay } from './simulated/simulated-display.ts';
import { systemTimers, type Timers } from './timers.ts';

/** An opened I2C bus that can be closed (i2c-bus's PromisifiedBus). */
export interface ClosableI2cBus extends I2cBus {
  close(): Promise<void>;
}

/** What the factory loads or opens; each can be replaced (tests pass fakes). */
export interface RealHardwareDeps {
  loadGpio(): Promise<GpioDriver>;
  openI2cBus(busNumber: number): Promise<ClosableI2cBus>;
  openLineSource(config: Extract<QrReaderConfig, { kind: 'serial' | 'stdin' }>): Promise<LineSource>;
  timers: Timers;
}

export const defaultRealHardwareDeps: RealHardwareDeps = {
  loadGpio: async () => {
    try {
      const onoff = await import('onoff');
      const Gpio: GpioDriver = onoff.Gpio ?? onoff.default.Gpio; // CommonJS: named export when detected, else default
      return Gpio;
    } catch (error) {
      throw new Error(
        `the onoff GPIO library could not be loaded (its native epoll addon must be built on the Pi itself): ${(error as Error).message}`,
        { cause: error },
      );
    }
  },
  openI2cBus: async (busNumber) => {
    const i2c = await import('i2c-bus').catch((error: unknown) => {
      throw new Error(
        `the i2c-bus library could not be loaded (its native addon must be built on the Pi itself): ${(error as Error).message}`,
        { cause: error },
      );
    });
    const openPromisified = i2c.openPromisified ?? i2c.default.openPromisified;
    const bus: ClosableI2cBus = await openPromisified(busNumber);
    return bus;
  },
  openLineSource: (config) => (config.kind === 'stdin' ? Promise.resolve(stdinLineSource()) : openDeviceLineSource(config.path)),
  timers: systemTimers,
};

/**
 * Loads the drivers, checks that sysfs GPIO is usable and resolves the GPIO chip (rejecting with
 * a message that says what to do when it is not), and builds the gate's parts. Nothing is
 * exported or driven until `start()`, which drives every output to its safe level first.
 */
export async function openRealHardware(
  config: RealHardwareConfig,
  logger: Logger,
  deps: Partial<RealHardwareDeps> = {},
): Promise<GateHardware> {
  const d: RealHardwareDeps = { ...defaultRealHardwareDeps, ...deps };
  const log = logger.child({ module: 'hardware', backend: 'real' });
  const sysfsRoot = config.gpio.sysfsRoot ?? DEFAULT_SYSFS_GPIO_ROOT;
  const Gpio = await d.loadGpio();
  await assertGpioAccessible(sysfsRoot, Gpio.accessible);
  const chip = await resolveGpioChip(sysfsRoot, config.gpio.chipLabels ?? DEFAULT_GPIO_CHIP_LABELS);
  log.info({ chip: chip.name, label: chip.label, base: chip.base, ngpio: chip.ngpio }, 'GPIO chip resolved');
  const pin = pinResolver(chip);

  const { outputs, inputs } = config.gpio;
  const output = (name: keyof typeof outputs): OnoffOutputLine => {
    const c = outputs[name];
    const settings = { activeLow: c.activeLow ?? false, safeOn: c.safeOn ?? false };
    return new OnoffOutputLine(name, Gpio, pin(name, c.line), settings, log.child({ part: name }));
  };
  const input = (name: keyof typeof inputs): OnoffInputLine => {
    const c = inputs[name];
    const settings = { activeLow: c.activeLow ?? false, debounceMs: c.debounceMs ?? DEFAULT_INPUT_DEBOUNCE_MS };
    return new OnoffInputLine(name, Gpio, pin(name, c.line), settings, log.child({ part: name }));
  };

  const buses = new Map<number, ClosableI2cBus>();
  const bus = async (busNumber: number): Promise<ClosableI2cBus> => {
    const opened = buses.get(busNumber) ?? (await d.openI2cBus(busNumber));
    buses.set(busNumber, opened);
    return opened;
  };

  const hardware = composeGateHardware(
    {
      relay: output('relay'),
      greenLight: output('greenLight'),
      redLight: output('redLight'),
      buzzer: output('buzzer'),
      passage: input('passage'),
      emergency: input('emergency'),
      doorForced: input('doorForced'),
      qr: await qrReader(config.qr, bus, d, log.child({ part: 'qr' })),
      display: await display(config.display, bus, d, log.child({ part: 'display' })),
    },
    log,
  );
  return {
    ...hardware,
    stop: async () => {
      try {
        await hardware.stop();
      } finally {
        for (const [busNumber, opened] of buses) {
          await opened.close().catch((error: unknown) => log.warn({ err: error, busNumber }, 'closing I2C bus failed'));
        }
      }
    },
  };
}

/** Maps each part's line to its sysfs number, refusing two parts on one line. */
function pinResolver(chip: GpioChip): (part: string, line: number) => number {
  const used = new Map<number, string>();
  return (part, line) => {
    const other = used.get(line);
    if (other !== undefined) throw new Error(`GPIO line ${line} is configured for both ${other} and ${part}`);
    used.set(line, part);
    try {
      return gpioNumber(chip, line);
    } catch (error) {
      throw new Error(`${part}: ${(error as Error).message}`, { cause: error });
    }
  };
}

async function qrReader(
  config: QrReaderConfig,
  bus: (busNumber: number) => Promise<I2cBus>,
  d: RealHardwareDeps,
  log: Logger,
): Promise<QrReader> {
  if (config.kind === 'i2c') {
    const { kind: _kind, ...overrides } = config;
    const settings = { ...DEFAULT_I2C_QR_SETTINGS, ...overrides };
    return new I2cQrReader('qr', await bus(settings.busNumber), settings, log, d.timers);
  }
  const { kind: _kind, ...overrides } = config;
  const settings = { ...DEFAULT_LINE_QR_SETTINGS, ...overrides };
  return new LineQrReader('qr', () => d.openLineSource(config), settings, log, d.timers);
}

async function display(
  config: DisplayConfig,
  bus: (busNumber: number) => Promise<I2cBus>,
  d: RealHardwareDeps,
  log: Logger,
): Promise<Display> {
  if (config.kind === 'none') return new SimulatedDisplay('display', { timers: d.timers, logger: log });
  const { kind: _kind, bitMap, ...overrides } = config;
  const settings = { ...DEFAULT_LCD_SETTINGS, ...overrides, bitMap: { ...DEFAULT_LCD_SETTINGS.bitMap, ...bitMap } };
  return new LcdDisplay('display', await bus(settings.busNumber), settings, log, d.timers);
}
