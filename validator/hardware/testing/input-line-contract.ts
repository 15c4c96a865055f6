/** The behaviour every InputLine implementation must have, debounce timings on a fake clock. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import type { InputLine } from '../ports.ts';
import { useFakeClock } from './test-support.ts';

export interface InputHarness {
  line: InputLine;
  /** Sets the logical level on the wire (before debounce). */
  drive(active: boolean): void;
}

export type InputFactory = (options: { debounceMs: number; initial: boolean }) => InputHarness;

export function describeInputLineContract(name: string, factory: InputFactory): void {
  describe(`InputLine contract: ${name}`, () => {
    let sandbox: sinon.SinonSandbox;
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      sandbox = sinon.createSandbox();
      clock = useFakeClock(sandbox);
    });
    afterEach(() => sandbox.restore());

    const started = async (debounceMs: number, initial = false): Promise<InputHarness & { events: boolean[] }> => {
      const harness = factory({ debounceMs, initial });
      await harness.line.start();
      const events: boolean[] = [];
      harness.line.onChange((active) => events.push(active));
      return { ...harness, events };
    };

    it('reads a level that is already active at start, without an event', async () => {
      const { line, events } = await started(20, true);
      assert.equal(line.read(), true);
      await clock.tickAsync(100);
      assert.deepEqual(events, []);
    });

    it('reports a change once the line has been stable for the debounce time', async () => {
      const { line, drive, events } = await started(20);
      drive(true);
      await clock.tickAsync(19);
      assert.deepEqual([events, line.read()], [[], false]);
      await clock.tickAsync(1);
      assert.deepEqual([events, line.read()], [[true], true]);
    });

    it('restarts the debounce on every edge while the line bounces', async () => {
      const { drive, events } = await started(20);
      drive(true);
      await clock.tickAsync(10);
      drive(false);
      await clock.tickAsync(10);
      drive(true);
      await clock.tickAsync(19);
      assert.deepEqual(events, []);
      await clock.tickAsync(1);
      assert.deepEqual(events, [true]);
    });

    it('reports nothing for a glitch that ends at the level it started from', async () => {
      const { line, drive, events } = await started(20);
      drive(true);
      await clock.tickAsync(5);
      drive(false);
      await clock.tickAsync(100);
      assert.deepEqual([events, line.read()], [[], false]);
    });

    it('reports at once without debounce, each change in order', async () => {
      const { drive, events } = await started(0);
      drive(true);
      drive(false);
      drive(true);
      assert.deepEqual(events, [true, false, true]);
    });

    it('stops reporting to a listener that unsubscribed, and only to it', async () => {
      const { line, drive, events } = await started(0);
      const other: boolean[] = [];
      const unsubscribe = line.onChange((active) => other.push(active));
      drive(true);
      unsubscribe();
      drive(false);
      assert.deepEqual([events, other], [[true, false], [true]]);
    });

    it('reports nothing after stop', async () => {
      const { line, drive, events } = await started(20);
      drive(true);
      await line.stop();
      await clock.tickAsync(100);
      drive(false);
      await clock.tickAsync(100);
      assert.deepEqual(events, []);
    });
  });
}
