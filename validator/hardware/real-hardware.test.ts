import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import { EXAMPLE_REAL_HARDWARE_CONFIG, type RealHardwareConfig } from './hardware-config.ts';
import { openRealHardware, type RealHardwareDeps } from './real-hardware.ts';
import { FakeHd44780 } from './testing/fake-hd44780.ts';
import { FakeI2cBus, FakeTinyCodeReader } from './testing/fake-i2c-bus.ts';
import { FakeGpioWorld } from './testing/fake-onoff.ts';
import { silentLogger, useFakeClock } from './testing/test-support.ts';

describe('real hardware composition (fake onoff, i2c-bus and sysfs)', () => {
  let sandbox: sinon.SinonSandbox;
  let clock: sinon.SinonFakeTimers;
  let dir: string;
  let sysfsRoot: string;
  let world: FakeGpioWorld;
  let bus: FakeI2cBus;
  let deps: Partial<RealHardwareDeps>;

  beforeEach(async () => {
    sandbox = sinon.createSandbox();
    clock = useFakeClock(sandbox);
    dir = await mkdtemp(join(tmpdir(), 'faregate-hw-'));
    sysfsRoot = join(dir, 'gpio');
    await mkdir(join(sysfsRoot, 'gpiochip571'), { recursive: true });
    await writeFile(join(sysfsRoot, 'gpiochip571', 'label'), 'pinctrl-rp1\n');
    await writeFile(join(sysfsRoot, 'gpiochip571', 'base'), '571\n');
    await writeFile(join(sysfsRoot, 'gpiochip571', 'ngpio'), '54\n');
    world = new FakeGpioWorld();
    bus = new FakeI2cBus();
    bus.attach(0x0c, new FakeTinyCodeReader());
    bus.attach(0x27, new FakeHd44780());
    deps = { loadGpio: async () => world.driver, openI2cBus: async () => bus };
  });
  afterEach(async () => {
    sandbox.restore();
    await rm(dir, { recursive: true, force: true });
  });

  const config = (overrides: Partial<RealHardwareConfig> = {}): RealHardwareConfig => ({
    ...EXAMPLE_REAL_HARDWARE_CONFIG,
    gpio: { ...EXAMPLE_REAL_HARDWARE_CONFIG.gpio, sysfsRoot },
    ...overrides,
  });
  const withTime = async <T>(work: Promise<T>): Promise<T> => {
    work.catch(() => {}); // awaited below; handled meanwhile so fake time can pass
    await clock.tickAsync(200);
    return work;
  };

  it('says how to run without hardware when the machine has no sysfs GPIO', async () => {
    const missing = { ...config(), gpio: { ...config().gpio, sysfsRoot: join(dir, 'nothing') } };
    await assert.rejects(
      openRealHardware(missing, silentLogger, deps),
      /GPIO is not available on this machine \(no .*nothing\); set "hardware": "simulated" to run without gate hardware/,
    );
    world.accessible = false;
    await assert.rejects(openRealHardware(config(), silentLogger, deps), /"gpio" group/);
  });

  it('resolves lines on the Pi 5 chip and starts every output at its safe level', async () => {
    const gate = await openRealHardware(config(), silentLogger, deps);
    assert.equal(world.constructions.length, 0); // nothing exported before start
    await withTime(gate.start());
    const exported = world.constructions.map((c) => [c.gpio, c.direction]);
    assert.deepEqual(exported.slice(0, 4), [[588, 'high'], [598, 'low'], [593, 'low'], [594, 'low']]);
    assert.deepEqual(exported.slice(4), [[576, 'in'], [577, 'in'], [584, 'in']]);
    assert.equal(gate.relay.isOn, false);
    await gate.relay.set(true);
    assert.equal(world.pin(588).raw, 0); // active-low relay energised
    await withTime(gate.stop());
    assert.equal(world.pin(588).raw, 1);
    assert.equal(bus.closed, true);
  });

  it('starts the reader and the display on the I2C bus', async () => {
    const gate = await openRealHardware(config(), silentLogger, deps);
    await withTime(gate.start());
    assert.ok(bus.transfers.some((t) => t.kind === 'read' && t.address === 0x0c));
    gate.display.show('Ready');
    await clock.tickAsync(10);
    assert.ok(bus.writesTo(0x27).length > 10);
    await withTime(gate.stop());
  });

  it('reports a missing QR reader at start and leaves the outputs safe', async () => {
    const noReader = new FakeI2cBus();
    noReader.attach(0x27, new FakeHd44780());
    const gate = await openRealHardware(config(), silentLogger, { ...deps, openI2cBus: async () => noReader });
    await assert.rejects(withTime(gate.start()), /no QR reader at 0x0c on I2C bus 1 is answering/);
    assert.equal(world.pin(588).raw, 1);
    await assert.rejects(gate.relay.set(true), /not started/);
  });

  it('opens a serial scanner through the line source it is given', async () => {
    const stream = new PassThrough();
    const openLineSource = sandbox.fake(async () => ({ stream, close: () => void stream.destroy() }));
    const serial = config({ qr: { kind: 'serial', path: '/dev/ttyACM0' }, display: { kind: 'none' } });
    const gate = await openRealHardware(serial, silentLogger, { ...deps, openLineSource });
    const codes: string[] = [];
    gate.qr.onCode((text) => codes.push(text));
    await withTime(gate.start());
    stream.write('HC1:A B\r\n');
    assert.deepEqual(codes, ['HC1:A B']);
    assert.deepEqual(openLineSource.firstCall.args, [{ kind: 'serial', path: '/dev/ttyACM0' }]);
    await withTime(gate.stop());
  });

  it('refuses two parts on one line, and a line the chip does not have, naming the part', async () => {
    const base = config();
    const twice = { ...base, gpio: { ...base.gpio, outputs: { ...base.gpio.outputs, buzzer: { line: 17 } } } };
    await assert.rejects(openRealHardware(twice, silentLogger, deps), /line 17 is configured for both relay and buzzer/);
    const outside = { ...base, gpio: { ...base.gpio, inputs: { ...base.gpio.inputs, doorForced: { line: 60 } } } };
    await assert.rejects(openRealHardware(outside, silentLogger, deps), /doorForced: GPIO line 60 is out of range for pinctrl-rp1/);
  });

  it('never loads the native drivers when they are injected', () => {
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    assert.deepEqual(loaded.filter((path) => /node_modules\/(onoff|i2c-bus|epoll)\//.test(path)), []);
  });
});
