/** The behaviour every OutputLine implementation must have; run against each by the *.test.ts files. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import type { OutputLine } from '../ports.ts';

export interface OutputHarness {
  line: OutputLine;
  /** The logical level on the wire right now (what the relay or light sees). */
  onTheWire(): boolean;
}

export type OutputFactory = (options: { safeOn: boolean; leftoverOn: boolean }) => OutputHarness;

export function describeOutputLineContract(name: string, factory: OutputFactory): void {
  describe(`OutputLine contract: ${name}`, () => {
    let sandbox: sinon.SinonSandbox;
    beforeEach(() => {
      sandbox = sinon.createSandbox();
    });
    afterEach(() => sandbox.restore());

    it('drives the safe level at start even when a crashed process left the line on', async () => {
      const { line, onTheWire } = factory({ safeOn: false, leftoverOn: true });
      await line.start();
      assert.equal(onTheWire(), false);
      assert.equal(line.isOn, false);
    });

    it('follows set() in isOn and on the wire', async () => {
      const { line, onTheWire } = factory({ safeOn: false, leftoverOn: false });
      await line.start();
      await line.set(true);
      assert.deepEqual([line.isOn, onTheWire()], [true, true]);
      await line.set(false);
      assert.deepEqual([line.isOn, onTheWire()], [false, false]);
    });

    it('returns to the safe level at stop', async () => {
      const { line, onTheWire } = factory({ safeOn: false, leftoverOn: false });
      await line.start();
      await line.set(true);
      await line.stop();
      assert.deepEqual([line.isOn, onTheWire()], [false, false]);
    });

    it('honours a safe level of on at start and stop', async () => {
      const { line, onTheWire } = factory({ safeOn: true, leftoverOn: false });
      await line.start();
      assert.equal(onTheWire(), true);
      await line.set(false);
      await line.stop();
      assert.deepEqual([line.isOn, onTheWire()], [true, true]);
    });

    it('refuses set() before start and after stop', async () => {
      const { line, onTheWire } = factory({ safeOn: false, leftoverOn: false });
      await assert.rejects(line.set(true), /not started/);
      await line.start();
      await line.stop();
      await assert.rejects(line.set(true), /not started/);
      assert.equal(onTheWire(), false);
    });

    it('can be started again after a stop', async () => {
      const { line, onTheWire } = factory({ safeOn: false, leftoverOn: false });
      await line.start();
      await line.stop();
      await line.start();
      await line.set(true);
      assert.equal(onTheWire(), true);
    });
  });
}
