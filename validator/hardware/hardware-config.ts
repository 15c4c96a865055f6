import type { I2cQrReaderSettings } from './i2c/i2c-qr-reader.ts';
import type { LcdSettings } from './i2c/lcd-display.ts';
import type { PcfBitMap } from './i2c/lcd-bytes.ts';
import type { LineQrReaderSettings } from './serial/line-qr-reader.ts';

/** One GPIO output. `line` is the chip's line (BCM GPIO number on a Pi), not the sysfs number. */
export interface GpioOutputConfig {
  line: number;
  /** Default false. Most relay boards are active-low. */
  activeLow?: boolean;
  /** The fail-safe level (default false: de-energised). */
  safeOn?: boolean;
}

export interface GpioInputConfig {
  line: number;
  /** Default false. */
  activeLow?: boolean;
  /** Trailing debounce, ms (default 20). */
  debounceMs?: number;
}

export type QrReaderConfig =
  | ({ kind: 'i2c' } & Partial<I2cQrReaderSettings>)
  /** A serial or USB-CDC scanner device; set its baud rate outside (e.g. `stty -F <path> 115200` in the unit). */
  | ({ kind: 'serial'; path: string } & Partial<LineQrReaderSettings>)
  /** A keyboard-wedge scanner on the console, or codes piped in. */
  | ({ kind: 'stdin' } & Partial<LineQrReaderSettings>);

export type DisplayConfig =
  | ({ kind: 'lcd' } & Partial<Omit<LcdSettings, 'bitMap'>> & { bitMap?: Partial<PcfBitMap> })
  /** No display fitted: texts are only recorded in memory. */
  | { kind: 'none' };

/** What `openRealHardware` needs. Validated by the service's config schema before it gets here. */
export interface RealHardwareConfig {
  gpio: {
    /** Default `/sys/class/gpio`. */
    sysfsRoot?: string;
    /** GPIO chip labels to look for, in order (default pinctrl-bcm2711, pinctrl-bcm2835, pinctrl-rp1). */
    chipLabels?: string[];
    outputs: { relay: GpioOutputConfig; greenLight: GpioOutputConfig; redLight: GpioOutputConfig; buzzer: GpioOutputConfig };
    inputs: { passage: GpioInputConfig; emergency: GpioInputConfig; doorForced: GpioInputConfig };
  };
  qr: QrReaderConfig;
  display: DisplayConfig;
}

export const DEFAULT_INPUT_DEBOUNCE_MS = 20;

/** An example wiring on a Pi header (BCM numbers): active-low relay board, Tiny Code Reader, 16x2 LCD at 0x27. */
export const EXAMPLE_REAL_HARDWARE_CONFIG = {
  gpio: {
    outputs: {
      relay: { line: 17, activeLow: true },
      greenLight: { line: 27 },
      redLight: { line: 22 },
      buzzer: { line: 23 },
    },
    inputs: {
      passage: { line: 5, activeLow: true },
      emergency: { line: 6, activeLow: true, debounceMs: 50 },
      doorForced: { line: 13, activeLow: true },
    },
  },
  qr: { kind: 'i2c', busNumber: 1, address: 0x0c },
  display: { kind: 'lcd', busNumber: 1, address: 0x27 },
} as const satisfies RealHardwareConfig;
