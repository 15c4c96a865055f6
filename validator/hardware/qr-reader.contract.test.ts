import { PassThrough } from 'node:stream';
import { I2cQrReader } from './i2c/i2c-qr-reader.ts';
import { LineQrReader } from './serial/line-qr-reader.ts';
import { SimulatedQrReader } from './simulated/simulated-qr-reader.ts';
import { FakeI2cBus, FakeTinyCodeReader } from './testing/fake-i2c-bus.ts';
import { describeQrReaderContract, READ_PERIOD_MS } from './testing/qr-reader-contract.ts';
import { silentLogger } from './testing/test-support.ts';

describeQrReaderContract('SimulatedQrReader', (clock, { repeatWindowMs }) => {
  const reader = new SimulatedQrReader('qr', { repeatWindowMs });
  return {
    reader,
    read: async (text) => {
      reader.present(text);
      await clock.tickAsync(READ_PERIOD_MS);
    },
  };
});

describeQrReaderContract('I2cQrReader on a fake bus', (clock, { repeatWindowMs }) => {
  const bus = new FakeI2cBus();
  const device = new FakeTinyCodeReader();
  bus.attach(0x0c, device);
  const settings = { busNumber: 1, address: 0x0c, pollIntervalMs: READ_PERIOD_MS, attempts: 3, repeatWindowMs };
  const reader = new I2cQrReader('qr', bus, settings, silentLogger);
  return {
    reader,
    read: async (text) => {
      // In view for exactly one poll.
      device.inView = text;
      await clock.tickAsync(READ_PERIOD_MS);
      device.inView = undefined;
    },
  };
});

describeQrReaderContract('LineQrReader on a stream', (clock, { repeatWindowMs }) => {
  const stream = new PassThrough();
  const reader = new LineQrReader(
    'qr',
    async () => ({ stream, close: () => void stream.destroy() }),
    { maxLineLength: 2048, repeatWindowMs },
    silentLogger,
  );
  return {
    reader,
    read: async (text) => {
      if (!stream.destroyed) stream.write(`${text}\r\n`);
      await clock.tickAsync(READ_PERIOD_MS);
    },
  };
});
