import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { TrustedClock, type TimeSources } from './trusted-clock.ts';

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

describe('trusted clock', () => {
  let dir: string;
  let time: FakeTime;
  const options = () => ({ stateFile: join(dir, 'clock.json'), trustSystemClock: false, maxAnchorAgeMs: 86_400_000, persistIntervalMs: 60_000 });
  let clocks: TrustedClock[] = [];
  const make = (overrides = {}) => {
    const clock = new TrustedClock({ ...options(), ...overrides }, time, logger);
    clocks.push(clock);
    return clock;
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
    assert.equal(clock.anchorTo(beacon), true);
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
    assert.equal(clock.anchorTo(time.wall), false);
    assert.equal(clock.rollbackDetected, true);
    assert.equal(clock.status, 'unanchored');
  });

  it('trusts the system clock when configured (RTC with NTP) unless a rollback was seen', async () => {
    const clock = make({ trustSystemClock: true });
    await clock.start();
    assert.equal(clock.status, 'system');
    assert.equal(clock.now().trusted, true);
  });
});
