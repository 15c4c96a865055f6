import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import { FakeI2cBus, FakeTinyCodeReader } from '../testing/fake-i2c-bus.ts';
import { captureLogger, silentLogger, useFakeClock } from '../testing/test-support.ts';
import { DEFAULT_I2C_QR_SETTINGS, I2cQrReader } from './i2c-qr-reader.ts';

describe('I2C QR reader', () => {
  let sandbox: sinon.SinonSandbox;
  let clock: sinon.SinonFakeTimers;
  let bus: FakeI2cBus;
  let device: FakeTinyCodeReader;
  beforeEach(() => {
    sandbox = sinon.createSandbox();
    clock = useFakeClock(sandbox);
    bus = new FakeI2cBus();
    device = new FakeTinyCodeReader();
  });
  afterEach(() => sandbox.restore());

  const reader = (logger = silentLogger): I2cQrReader => new I2cQrReader('qr', bus, DEFAULT_I2C_QR_SETTINGS, logger);

  it('says the bus is missing when /dev/i2c-1 does not exist', async () => {
    bus.present = false;
    await assert.rejects(reader().start(), /I2C bus 1 is not available \(no \/dev\/i2c-1\)/);
  });

  it('says no reader is answering at its address', async () => {
    await assert.rejects(reader().start(), /no QR reader at 0x0c on I2C bus 1 is answering \(EREMOTEIO\)/);
  });

  it('retries a transient EREMOTEIO, within a bound', async () => {
    bus.attach(0x0c, device);
    bus.failNext(0x0c, 'EREMOTEIO', 2);
    await reader().start();
    bus.failNext(0x0c, 'EREMOTEIO', 3);
    await assert.rejects(reader().start(), /EREMOTEIO/);
  });

  it('reads 256 bytes with plain i2cRead every poll interval, one read at a time', async () => {
    bus.attach(0x0c, device);
    const read = sandbox.spy(bus, 'i2cRead');
    const qr = reader();
    await qr.start();
    assert.equal(read.callCount, 1); // the probe
    await clock.tickAsync(199);
    assert.equal(read.callCount, 1);
    await clock.tickAsync(1);
    assert.equal(read.callCount, 2);
    await clock.tickAsync(800);
    assert.equal(read.callCount, 6);
    assert.deepEqual(read.firstCall.args.slice(0, 2), [0x0c, 256]);
    await qr.stop();
    await clock.tickAsync(1000);
    assert.equal(read.callCount, 6);
  });

  it('keeps polling through read failures, logging the first and the recovery', async () => {
    bus.attach(0x0c, device);
    const { logger, lines } = captureLogger();
    const qr = reader(logger);
    const codes: string[] = [];
    qr.onCode((text) => codes.push(text));
    await qr.start();
    bus.failNext(0x0c, 'EREMOTEIO', 3 * 5); // five polls fail, three attempts each
    await clock.tickAsync(1000);
    device.inView = 'HC1:6BF';
    await clock.tickAsync(200);
    assert.deepEqual(codes, ['HC1:6BF']);
    assert.equal(lines.filter((line) => line.msg === 'QR reader read failed; still polling').length, 1);
    assert.equal(lines.filter((line) => line.msg === 'QR reader answering again').length, 1);
  });

  it('logs a rejected packet once while it stays in view, with the reason and not the content', async () => {
    bus.attach(0x0c, device);
    const { logger, lines } = captureLogger();
    const qr = reader(logger);
    const codes: string[] = [];
    qr.onCode((text) => codes.push(text));
    await qr.start();
    device.packet = new Uint8Array([4, 0, 0x53, 0x45, 0x43, 0x00]);
    await clock.tickAsync(2000);
    const rejected = lines.filter((line) => line.msg === 'QR reader packet rejected');
    assert.deepEqual(rejected.map((line) => line.reason), ['non-printable byte 0x00 at offset 3']);
    assert.ok(!JSON.stringify(lines).includes('SEC'));
    assert.deepEqual(codes, []);
  });

  it('reports nothing read by a poll that was in flight at stop', async () => {
    bus.attach(0x0c, device);
    const qr = reader();
    const codes: string[] = [];
    qr.onCode((text) => codes.push(text));
    await qr.start();
    device.inView = 'LATE';
    await clock.tickAsync(199);
    clock.tick(1); // the poll starts; its read is still pending
    await qr.stop();
    assert.deepEqual(codes, []);
  });
});
