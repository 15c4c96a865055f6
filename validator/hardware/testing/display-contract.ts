/** The behaviour every Display implementation must have: fitted text, never blocking, coalescing. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import type { Display } from '../ports.ts';
import { useFakeClock } from './test-support.ts';

export interface DisplayHarness {
  display: Display;
  /** The rows as the rider sees them (16 columns). */
  screen(): string[];
  /** How many complete frames reached the device. */
  framesDrawn(): number;
  /** Makes the device slow: writes wait until `release()`. */
  hold(): void;
  release(): void;
}

export type DisplayFactory = (clock: sinon.SinonFakeTimers) => DisplayHarness;

const row = (text: string): string => text.padEnd(16, ' ');

export function describeDisplayContract(name: string, factory: DisplayFactory): void {
  describe(`Display contract: ${name}`, () => {
    let sandbox: sinon.SinonSandbox;
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      sandbox = sinon.createSandbox();
      clock = useFakeClock(sandbox);
    });
    afterEach(() => sandbox.restore());

    /** Runs `work` while fake time passes (initialisation waits on timers). */
    const withTime = async <T>(work: Promise<T>): Promise<T> => {
      work.catch(() => {}); // awaited below; handled meanwhile so fake time can pass
      await clock.tickAsync(1000);
      return work;
    };
    const started = async (): Promise<DisplayHarness> => {
      const harness = factory(clock);
      await withTime(harness.display.start());
      return harness;
    };

    it('shows two lines fitted to the width: ASCII, truncated, padded', async () => {
      const { display, screen } = await started();
      display.show('Go', 'Welcome to Zürich HB');
      await clock.tickAsync(100);
      assert.deepEqual(screen(), [row('Go'), 'Welcome to Zuric']);
    });

    it('returns at once while the device is stuck, and keeps returning', async () => {
      const { display, hold, release, screen } = await started();
      hold();
      for (let i = 0; i < 100; i++) assert.equal(display.show(`Tap ${i}`), undefined);
      await clock.tickAsync(5000);
      assert.deepEqual(screen(), [row(''), row('')]);
      release();
      await clock.tickAsync(100);
      assert.deepEqual(screen(), [row('Tap 99'), row('')]);
    });

    it('coalesces texts shown during a slow write to the latest', async () => {
      const { display, hold, release, screen, framesDrawn } = await started();
      const before = framesDrawn();
      hold();
      display.show('First');
      await clock.tickAsync(10);
      display.show('Second');
      display.show('Third', 'and last');
      release();
      await clock.tickAsync(100);
      assert.deepEqual(screen(), [row('Third'), row('and last')]);
      assert.equal(framesDrawn() - before, 2);
    });

    it('does not rewrite the text already on the screen', async () => {
      const { display, framesDrawn } = await started();
      display.show('Go', 'Have a nice day');
      await clock.tickAsync(100);
      const drawn = framesDrawn();
      display.show('Go', 'Have a nice day');
      await clock.tickAsync(100);
      assert.equal(framesDrawn(), drawn);
    });

    it('shows text given before start once started', async () => {
      const harness = factory(clock);
      harness.display.show('Starting');
      await withTime(harness.display.start());
      await clock.tickAsync(100);
      assert.deepEqual(harness.screen()[0], row('Starting'));
    });

    it('stops within a bound on a stuck device and ignores text after stop', async () => {
      const { display, hold, screen } = await started();
      display.show('Before');
      await clock.tickAsync(100);
      hold();
      display.show('Stuck');
      const stopped = display.stop();
      await clock.tickAsync(1000);
      await stopped;
      display.show('After');
      await clock.tickAsync(100);
      assert.deepEqual(screen()[0], row('Before'));
    });
  });
}
