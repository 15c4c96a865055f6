/** The behaviour every QrReader implementation must have; each read takes 200 ms of fake time. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import type { QrReader } from '../ports.ts';
import { useFakeClock } from './test-support.ts';

export interface QrHarness {
  reader: QrReader;
  /** The device reads `text` once; resolves when the read has been processed, 200 ms later. */
  read(text: string): Promise<void>;
}

export type QrFactory = (clock: sinon.SinonFakeTimers, options: { repeatWindowMs: number }) => QrHarness;

export const READ_PERIOD_MS = 200;
const WINDOW_MS = 1000;
/** A Base45 code: spaces and symbols are part of the text. */
const CODE = 'NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH K 2';

export function describeQrReaderContract(name: string, factory: QrFactory): void {
  describe(`QrReader contract: ${name}`, () => {
    let sandbox: sinon.SinonSandbox;
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      sandbox = sinon.createSandbox();
      clock = useFakeClock(sandbox);
    });
    afterEach(() => sandbox.restore());

    const started = async (): Promise<QrHarness & { codes: string[] }> => {
      const harness = factory(clock, { repeatWindowMs: WINDOW_MS });
      await harness.reader.start();
      const codes: string[] = [];
      harness.reader.onCode((text) => codes.push(text));
      return { ...harness, codes };
    };

    it('reports a code exactly as read, spaces and symbols included', async () => {
      const { read, codes } = await started();
      await read(CODE);
      assert.deepEqual(codes, [CODE]);
    });

    it('reports a code read five times in a row once', async () => {
      const { read, codes } = await started();
      for (let i = 0; i < 5; i++) await read(CODE);
      assert.deepEqual(codes, [CODE]);
    });

    it('treats a code held in view for ten seconds as one tap', async () => {
      const { read, codes } = await started();
      for (let i = 0; i < 50; i++) await read(CODE);
      assert.deepEqual(codes, [CODE]);
    });

    it('reports the same code again after it was out of sight for the window', async () => {
      const { read, codes } = await started();
      await read(CODE);
      await clock.tickAsync(WINDOW_MS);
      await read(CODE);
      assert.deepEqual(codes, [CODE, CODE]);
    });

    it('reports a different code at once, and the first one again after it', async () => {
      const { read, codes } = await started();
      await read('A1');
      await read('B2');
      await read('A1');
      assert.deepEqual(codes, ['A1', 'B2', 'A1']);
    });

    it('reports to every listener until it unsubscribes', async () => {
      const { reader, read, codes } = await started();
      const other: string[] = [];
      const unsubscribe = reader.onCode((text) => other.push(text));
      await read('A1');
      unsubscribe();
      await read('B2');
      assert.deepEqual([codes, other], [['A1', 'B2'], ['A1']]);
    });

    it('reports nothing after stop', async () => {
      const { reader, read, codes } = await started();
      await reader.stop();
      await read('A1');
      await clock.tickAsync(READ_PERIOD_MS * 5);
      assert.deepEqual(codes, []);
    });
  });
}
