import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertGpioAccessible, gpioNumber, GpioUnavailableError, listGpioChips, resolveGpioChip } from './gpio-chip.ts';

/** Writes a fake /sys/class/gpio with the given chips. */
async function fakeSysfs(root: string, chips: Array<{ base: number; label: string; ngpio: number }>): Promise<void> {
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'export'), '');
  for (const chip of chips) {
    const dir = join(root, `gpiochip${chip.base}`);
    await mkdir(dir);
    await writeFile(join(dir, 'label'), `${chip.label}\n`);
    await writeFile(join(dir, 'base'), `${chip.base}\n`);
    await writeFile(join(dir, 'ngpio'), `${chip.ngpio}\n`);
  }
}

describe('GPIO chip resolution', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faregate-sysfs-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('finds the Pi 4 header chip at base 512 next to the expander chip (kernel 6.6)', async () => {
    const root = join(dir, 'gpio');
    await fakeSysfs(root, [
      { base: 512, label: 'pinctrl-bcm2711', ngpio: 58 },
      { base: 570, label: 'raspberrypi-exp-gpio', ngpio: 8 },
    ]);
    const chip = await resolveGpioChip(root);
    assert.deepEqual(chip, { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 });
    assert.equal(gpioNumber(chip, 17), 529);
  });

  it('finds the Pi 5 RP1 chip at base 571', async () => {
    const root = join(dir, 'gpio');
    await fakeSysfs(root, [
      { base: 512, label: 'gpio-brcmstb@107d508500', ngpio: 32 },
      { base: 571, label: 'pinctrl-rp1', ngpio: 54 },
    ]);
    const chip = await resolveGpioChip(root);
    assert.equal(chip.base, 571);
    assert.equal(gpioNumber(chip, 17), 588);
  });

  it('prefers the configured labels in order', async () => {
    const root = join(dir, 'gpio');
    await fakeSysfs(root, [
      { base: 0, label: 'pinctrl-bcm2835', ngpio: 54 },
      { base: 100, label: 'my-expander', ngpio: 16 },
    ]);
    assert.equal((await resolveGpioChip(root, ['my-expander', 'pinctrl-bcm2835'])).base, 100);
    assert.equal((await resolveGpioChip(root)).base, 0);
  });

  it('names the labels it looked for and the chips it found when none matches', async () => {
    const root = join(dir, 'gpio');
    await fakeSysfs(root, [{ base: 512, label: 'some-other-soc', ngpio: 32 }]);
    await assert.rejects(resolveGpioChip(root), (error: Error) => {
      assert.ok(error instanceof GpioUnavailableError);
      assert.match(error.message, /pinctrl-bcm2711 or pinctrl-bcm2835 or pinctrl-rp1/);
      assert.match(error.message, /gpiochip512 "some-other-soc"/);
      return true;
    });
  });

  it('says how to run without hardware when there is no sysfs GPIO at all', async () => {
    const root = join(dir, 'missing');
    const expected = /GPIO is not available on this machine \(no .*missing\); set "hardware": "simulated"/;
    await assert.rejects(resolveGpioChip(root), expected);
    await assert.rejects(assertGpioAccessible(root, true), expected);
  });

  it('says to join the gpio group when the driver cannot write the export file', async () => {
    const root = join(dir, 'gpio');
    await fakeSysfs(root, []);
    await assert.rejects(assertGpioAccessible(root, false), /"gpio" group/);
    await assertGpioAccessible(root, true);
  });

  it('skips chip directories it cannot parse', async () => {
    const root = join(dir, 'gpio');
    await fakeSysfs(root, [{ base: 512, label: 'pinctrl-bcm2711', ngpio: 58 }]);
    await mkdir(join(root, 'gpiochip999'));
    await writeFile(join(root, 'gpiochip999', 'base'), 'garbage');
    assert.deepEqual((await listGpioChips(root)).map((chip) => chip.name), ['gpiochip512']);
  });

  it('refuses a line outside the chip', () => {
    const chip = { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 };
    assert.throws(() => gpioNumber(chip, 58), /out of range for pinctrl-bcm2711 \(lines 0-57\)/);
    assert.throws(() => gpioNumber(chip, -1), RangeError);
    assert.throws(() => gpioNumber(chip, 1.5), RangeError);
  });
});
