import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { TrustedClock, type TimeSources, type TrustedClockOptions } from './trusted-clock.ts';

class FakeTime implements TimeSources {
  wall = Date.parse('2026-11-27T08:00:00Z');
  mono = 1000;
  wallMs = (): number => this.wall;
  monotonicMs = (): number => this.mono;
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
}

const logger = pino({ level: 'silent' });

const DAY = 86_400_000;

describe('trusted clock', () => {
  let dir: string;
  let time: FakeTime;
  const options = () => ({ stateFile: join(dir, 'clock.json'), trustSystemClock: false, maxAnchorAgeMs: DAY, maxBeaconAheadMs: 300_000, persistIntervalMs: 60_000 });
  let clocks: TrustedClock[] = [];
  const make = (overrides: Partial<TrustedClockOptions> = {}) => {
    const clock = new TrustedClock({ ...options(), ...overrides }, time, logger);
    clocks.push(clock);
    return clock;
  };
  const started = async (overrides: Partial<TrustedClockOptions> = {}) => {
    const clock = make(overrides);
    await clock.start();
    return clock;
  };
  const restart = async (clock: TrustedClock, overrides: Partial<TrustedClockOptions> = {}) => {
    await clock.stop();
    return started(overrides);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'faregate-clock-'));
    time = new FakeTime();
    clocks = [];
  });
  afterEach(async () => {
    for (const clock of clocks) await clock.stop();
  });

  it('is untrusted after a cold start without a beacon and reads the system clock', async () => {
    const clock = make();
    await clock.start();
    assert.equal(clock.status, 'unanchored');
    assert.deepEqual(clock.now(), { seconds: time.wall / 1000, trusted: false });
  });

  it('trusts a beacon and carries it forward with the monotonic clock, not the wall clock', async () => {
    const clock = make();
    await clock.start();
    const beacon = Date.parse('2026-11-27T09:00:00Z');
    assert.deepEqual(clock.anchorTo(beacon), { taken: true });
    time.mono += 5000;
    time.wall -= 3_600_000; // someone sets the system clock back an hour
    assert.deepEqual(clock.now(), { seconds: (beacon + 5000) / 1000, trusted: true });
  });

  it('stops vouching when the anchor is older than the allowed age', async () => {
    const clock = make({ maxAnchorAgeMs: 60_000 });
    await clock.start();
    clock.anchorTo(time.wall);
    time.advance(60_001);
    assert.equal(clock.status, 'unanchored');
    assert.equal(clock.now().trusted, false);
  });

  it('never moves backwards past the highest time seen, across a restart', async () => {
    const first = make();
    await first.start();
    first.anchorTo(time.wall + 600_000);
    const seen = first.nowMs();
    await first.stop();
    assert.equal(JSON.parse(readFileSync(join(dir, 'clock.json'), 'utf8')).highWaterMs, seen);

    time.wall -= 86_400_000; // the Pi boots with fake-hwclock a day behind
    const second = make();
    await second.start();
    assert.equal(second.rollbackDetected, true);
    assert.equal(second.nowMs(), seen, 'the clock stalls at the high-water mark');
    assert.equal(second.now().trusted, false);
  });

  it('refuses a beacon behind the high-water mark as a replay', async () => {
    writeFileSync(join(dir, 'clock.json'), JSON.stringify({ highWaterMs: time.wall + 3_600_000 }));
    const clock = make();
    await clock.start();
    assert.deepEqual(clock.anchorTo(time.wall), { taken: false, reason: 'behind', referenceMs: time.wall + 3_600_000 });
    assert.equal(clock.rollbackDetected, true);
    assert.equal(clock.status, 'unanchored');
  });

  it('trusts the system clock when configured (RTC with NTP)', async () => {
    const clock = make({ trustSystemClock: true });
    await clock.start();
    assert.equal(clock.status, 'system');
    assert.equal(clock.now().trusted, true);
  });

  it('refuses a beacon delivered twice, and one older than the last taken', async () => {
    const clock = make();
    await clock.start();
    assert.deepEqual(clock.anchorTo(time.wall), { taken: true });
    assert.deepEqual(clock.anchorTo(time.wall), { taken: false, reason: 'duplicate', referenceMs: time.wall });
    assert.deepEqual(clock.anchorTo(time.wall - 500), { taken: false, reason: 'behind', referenceMs: time.wall });
  });

  describe('a wrong system clock', () => {
    it('anchors to a signed beacon although the system clock runs fast', async () => {
      const clock = make();
      await clock.start();
      const realMs = time.wall;
      time.wall += 5000; // five seconds fast, read many times before the first beacon
      for (let i = 0; i < 3; i += 1) assert.equal(clock.now().trusted, false);
      assert.deepEqual(clock.anchorTo(realMs), { taken: true });
      assert.equal(clock.status, 'anchored');
      assert.deepEqual(clock.now(), { seconds: realMs / 1000, trusted: true });
    });

    it('does not let a forward jump of the system clock at boot poison the high-water mark', async () => {
      const first = make();
      await first.start();
      first.anchorTo(time.wall);
      const trustedMs = first.nowMs();
      const wrong = await restart(first);
      time.wall += 400 * 86_400_000; // no RTC: the Pi boots 400 days ahead
      assert.deepEqual(wrong.now(), { seconds: time.wall / 1000, trusted: false });
      assert.equal(wrong.highWaterMs, trustedMs, 'untrusted time moved the high-water mark');
      time.wall -= 400 * 86_400_000; // NTP, or an operator, sets it right; the unit restarts
      const fixed = await restart(wrong);
      assert.equal(fixed.rollbackDetected, false);
      time.advance(2000);
      assert.deepEqual(fixed.anchorTo(time.wall), { taken: true });
      assert.deepEqual(fixed.now(), { seconds: time.wall / 1000, trusted: true });
    });

    it('does not vouch for a trusted system clock stepped back while it stands still, and does again once it caught up', async () => {
      const clock = make({ trustSystemClock: true });
      await clock.start();
      const seen = clock.nowMs();
      time.wall -= 60_000;
      assert.equal(clock.status, 'frozen');
      assert.deepEqual(clock.now(), { seconds: seen / 1000, trusted: false });
      time.advance(30_000);
      assert.deepEqual(clock.now(), { seconds: seen / 1000, trusted: false });
      time.advance(30_000);
      assert.equal(clock.status, 'system');
      assert.equal(clock.now().trusted, true);
    });

    it('takes a beacon behind a trusted system clock that runs fast, and follows the beacon', async () => {
      const clock = make({ trustSystemClock: true });
      await clock.start();
      time.wall += 3000;
      const fast = clock.nowMs();
      assert.deepEqual(clock.anchorTo(time.wall - 3000), { taken: true });
      // The signed beacon wins: the clock stands still, untrusted, until the beacon time passes the fast mark.
      assert.equal(clock.status, 'frozen');
      assert.deepEqual(clock.now(), { seconds: fast / 1000, trusted: false });
      time.advance(4000);
      assert.equal(clock.status, 'anchored');
      assert.deepEqual(clock.now(), { seconds: (time.wall - 3000) / 1000, trusted: true });
    });
  });

  describe('beacons from a gateway with a wrong clock', () => {
    it('refuses a beacon further ahead of the trusted time than the bound, and keeps its time', async () => {
      const clock = await started();
      clock.anchorTo(time.wall);
      time.advance(5000);
      const verdict = clock.anchorTo(time.wall + 400 * DAY);
      assert.deepEqual(verdict, { taken: false, reason: 'too-far-ahead', referenceMs: time.wall });
      assert.deepEqual(clock.now(), { seconds: time.wall / 1000, trusted: true });
      assert.deepEqual(clock.anchorTo(time.wall + 1000), { taken: true }, 'correct beacons still anchor');
    });

    it('recovers with a signed reset from a far-future beacon taken at a cold boot, across restarts', async () => {
      const poisoned = await started(); // no live trusted time: nothing to measure the beacon against
      assert.deepEqual(poisoned.anchorTo(time.wall + 400 * DAY), { taken: true });
      poisoned.now();
      await poisoned.stop();

      const stuck = await started();
      assert.equal(stuck.rollbackDetected, true);
      assert.equal(stuck.anchorTo(time.wall).taken, false, 'correct beacons are refused as a rollback');
      assert.equal(stuck.now().trusted, false);

      const reset = { version: 7, resetToMs: time.wall - 2000, reason: 'gateway clock was 400 days ahead' };
      assert.equal(stuck.reset(reset), true);
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'clock.json'), 'utf8')), { highWaterMs: reset.resetToMs, lastBeaconMs: 0, resetVersion: 7 });
      time.advance(3000);
      assert.deepEqual(stuck.anchorTo(time.wall), { taken: true });
      assert.deepEqual(stuck.now(), { seconds: time.wall / 1000, trusted: true });
      await stuck.stop();

      const recovered = await started();
      assert.equal(recovered.rollbackDetected, false);
      assert.equal(recovered.reset(reset), false, 'the retained reset, delivered again, applies only once');
      assert.ok(recovered.highWaterMs <= time.wall);
      time.advance(3000);
      assert.deepEqual(recovered.anchorTo(time.wall), { taken: true });
      assert.equal(recovered.now().trusted, true);
    });

    it('refuses to start on a damaged state file, naming it', async () => {
      writeFileSync(join(dir, 'clock.json'), '{"highWaterMs": ');
      await assert.rejects(make().start(), /clock state .*clock\.json is not readable JSON/);
      writeFileSync(join(dir, 'clock.json'), '{"highWaterMs": "soon"}');
      await assert.rejects(make().start(), /highWaterMs must be a non-negative number/);
    });
  });
});
