import { access, readdir, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';

/** Raspberry Pi header GPIO controllers: Pi 4, Pi 3 and earlier, Pi 5. */
export const DEFAULT_GPIO_CHIP_LABELS: readonly string[] = ['pinctrl-bcm2711', 'pinctrl-bcm2835', 'pinctrl-rp1'];
export const DEFAULT_SYSFS_GPIO_ROOT = '/sys/class/gpio';

/** A GPIO controller as sysfs lists it (`/sys/class/gpio/gpiochipN`). */
export interface GpioChip {
  /** Directory name, e.g. `gpiochip512`. */
  name: string;
  label: string;
  /** First sysfs number of the chip: 0 on old kernels, 512 on a Pi 4 and 571 on a Pi 5 since 6.6. */
  base: number;
  ngpio: number;
}

/** Thrown when the machine has no usable sysfs GPIO; the message says what to do. */
export class GpioUnavailableError extends Error {
  override name = 'GpioUnavailableError';
}

/** Reads every `gpiochipN` under `sysfsRoot`; entries that cannot be parsed are skipped. */
export async function listGpioChips(sysfsRoot: string = DEFAULT_SYSFS_GPIO_ROOT): Promise<GpioChip[]> {
  let entries: string[];
  try {
    entries = await readdir(sysfsRoot);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw unavailable(sysfsRoot);
    throw new Error(`cannot list ${sysfsRoot}: ${(error as Error).message}`, { cause: error });
  }
  const chips: GpioChip[] = [];
  for (const name of entries.filter((entry) => /^gpiochip\d+$/.test(entry)).sort()) {
    const chip = await readChip(sysfsRoot, name);
    if (chip !== undefined) chips.push(chip);
  }
  return chips;
}

/**
 * Chooses the chip whose label comes first in `labels`. Pin numbers moved in kernel 6.6 (the
 * base is no longer 0), so the base is always read, never assumed.
 */
export async function resolveGpioChip(
  sysfsRoot: string = DEFAULT_SYSFS_GPIO_ROOT,
  labels: readonly string[] = DEFAULT_GPIO_CHIP_LABELS,
): Promise<GpioChip> {
  const chips = await listGpioChips(sysfsRoot);
  for (const label of labels) {
    const chip = chips.find((candidate) => candidate.label === label);
    if (chip !== undefined) return chip;
  }
  const found = chips.map((chip) => `${chip.name} "${chip.label}"`).join(', ') || 'none';
  throw new GpioUnavailableError(
    `no GPIO chip labelled ${labels.join(' or ')} in ${sysfsRoot} (found: ${found}); set the GPIO chip label in the hardware config`,
  );
}

/** The sysfs number of `line` on `chip` (base + line), checked against the chip's size. */
export function gpioNumber(chip: GpioChip, line: number): number {
  if (!Number.isInteger(line) || line < 0 || line >= chip.ngpio) {
    throw new RangeError(`GPIO line ${line} is out of range for ${chip.label} (lines 0-${chip.ngpio - 1})`);
  }
  return chip.base + line;
}

/**
 * Fails with a clear message when sysfs GPIO cannot be used: absent (kernel without
 * CONFIG_GPIO_SYSFS, or not a Pi) or not writable (service user not in the `gpio` group).
 * `driverAccessible` is onoff's own `Gpio.accessible` verdict.
 */
export async function assertGpioAccessible(sysfsRoot: string, driverAccessible: boolean): Promise<void> {
  try {
    await access(sysfsRoot, constants.F_OK);
  } catch {
    throw unavailable(sysfsRoot);
  }
  if (!driverAccessible) {
    throw new GpioUnavailableError(
      `cannot write ${join(sysfsRoot, 'export')}: add the service user to the "gpio" group, or set "hardware": "simulated" to run without gate hardware`,
    );
  }
}

function unavailable(sysfsRoot: string): GpioUnavailableError {
  return new GpioUnavailableError(
    `GPIO is not available on this machine (no ${sysfsRoot}); set "hardware": "simulated" to run without gate hardware`,
  );
}

async function readChip(sysfsRoot: string, name: string): Promise<GpioChip | undefined> {
  try {
    const read = (file: string): Promise<string> => readFile(join(sysfsRoot, name, file), 'utf8').then((s) => s.trim());
    const [label, base, ngpio] = await Promise.all([read('label'), read('base'), read('ngpio')]);
    const chip = { name, label, base: Number(base), ngpio: Number(ngpio) };
    const valid = /^\d+$/.test(base) && /^\d+$/.test(ngpio) && chip.ngpio > 0;
    return valid ? chip : undefined;
  } catch {
    return undefined; // a chip directory without the expected files is not one we can use
  }
}
