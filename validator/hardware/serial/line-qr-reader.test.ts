import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import { captureLogger, silentLogger, useFakeClock } from '../testing/test-support.ts';
import { LineQrReader } from './line-qr-reader.ts';
import { openDeviceLineSource } from './open-line-source.ts';

describe('serial / stdin line reader', () => {
  let sandbox: sinon.SinonSandbox;
  beforeEach(() => {
    sandbox = sinon.createSandbox();
  });
  afterEach(() => sandbox.restore());

  const reader = (stream: PassThrough, logger = silentLogger, repeatWindowMs = 1000): LineQrReader =>
    new LineQrReader('qr', async () => ({ stream, close: () => void stream.destroy() }), { maxLineLength: 64, repeatWindowMs }, logger);

  it('reports whole lines as codes, spaces kept and CRLF stripped', async () => {
    const stream = new PassThrough();
    const qr = reader(stream);
    const codes: string[] = [];
    qr.onCode((text) => codes.push(text));
    await qr.start();
    stream.write('HC1:NCF OXN %T\r\nNCF:2 $/+\r');
    stream.write('\n');
    assert.deepEqual(codes, ['HC1:NCF OXN %T', 'NCF:2 $/+']);
  });

  it('drops an over-long line with a logged reason and no content', async () => {
    const stream = new PassThrough();
    const { logger, lines } = captureLogger();
    const qr = reader(stream, logger);
    const codes: string[] = [];
    qr.onCode((text) => codes.push(text));
    await qr.start();
    stream.write(`${'S'.repeat(100)}\nSHORT\n`);
    assert.deepEqual(codes, ['SHORT']);
    const dropped = lines.filter((line) => line.msg === 'scanner line dropped');
    assert.deepEqual(dropped.map((line) => line.reason), ['line longer than 64 bytes']);
    assert.ok(!JSON.stringify(lines).includes('SSSS'));
  });

  it('de-duplicates a scanner in continuous mode within the window, on a fake clock', async () => {
    const clock = useFakeClock(sandbox);
    const stream = new PassThrough();
    const qr = reader(stream, silentLogger, 1000);
    const codes: string[] = [];
    qr.onCode((text) => codes.push(text));
    await qr.start();
    for (let i = 0; i < 10; i++) {
      stream.write('CODE A\r\n');
      await clock.tickAsync(300);
    }
    await clock.tickAsync(1000);
    stream.write('CODE A\r\n');
    assert.deepEqual(codes, ['CODE A', 'CODE A']);
  });

  it('logs the end of its stream', async () => {
    const stream = new PassThrough();
    const { logger, lines } = captureLogger();
    await reader(stream, logger).start();
    stream.end();
    stream.resume();
    await new Promise((resolve) => stream.once('end', resolve));
    assert.ok(lines.some((line) => line.msg === 'scanner stream ended; no more codes will be read'));
  });

  it('reads codes from a file path, and says which device path is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faregate-scanner-'));
    try {
      const path = join(dir, 'codes.txt');
      await writeFile(path, 'FIRST CODE\r\nSECOND\r\n');
      const qr = new LineQrReader('qr', () => openDeviceLineSource(path), { maxLineLength: 64, repeatWindowMs: 1000 }, silentLogger);
      const codes: string[] = [];
      qr.onCode((text) => codes.push(text));
      const ended = new Promise<void>((resolve) => qr.onCode((text) => text === 'SECOND' && resolve()));
      await qr.start();
      await ended;
      await qr.stop();
      assert.deepEqual(codes, ['FIRST CODE', 'SECOND']);
      await assert.rejects(openDeviceLineSource(join(dir, 'ttyACM9')), /cannot open the QR scanner at .*ttyACM9 \(ENOENT\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
