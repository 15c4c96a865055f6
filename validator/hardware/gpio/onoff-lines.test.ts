import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import { FakeGpioWorld } from '../testing/fake-onoff.ts';
import { captureLogger, silentLogger, useFakeClock } from '../testing/test-support.ts';
import { OnoffInputLine } from './onoff-input-line.ts';
import { OnoffOutputLine } from './onoff-output-line.ts';

describe('onoff GPIO lines', () => {
  let sandbox: sinon.SinonSandbox;
  beforeEach(() => {
    sandbox = sinon.createSandbox();
  });
  afterEach(() => sandbox.restore());

  it('exports an active-low relay as "high" so it is never energised on the way up', async () => {
    const world = new FakeGpioWorld();
    const relay = new OnoffOutputLine('relay', world.driver, 529, { activeLow: true, safeOn: false }, silentLogger);
    await relay.start();
    assert.equal(world.constructions[0]?.direction, 'high');
    assert.deepEqual(world.constructions[0]?.options, { activeLow: true, reconfigureDirection: false });
    assert.deepEqual(world.pin(529).rawHistory, [0, 1]); // idle low before export, then high: never energising
    assert.equal(world.pin(529).raw, 1);
  });

  it('exports an active-high output as "low"', async () => {
    const world = new FakeGpioWorld();
    const buzzer = new OnoffOutputLine('buzzer', world.driver, 535, { activeLow: false, safeOn: false }, silentLogger);
    await buzzer.start();
    assert.equal(world.constructions[0]?.direction, 'low');
    assert.deepEqual(world.pin(535).rawHistory, [0]);
  });

  it('releases an energised relay left by a crash, without a glitch on the way', async () => {
    const world = new FakeGpioWorld();
    world.leaveExportedOutput(529, 0, true); // active-low relay left energised
    const relay = new OnoffOutputLine('relay', world.driver, 529, { activeLow: true, safeOn: false }, silentLogger);
    await relay.start();
    assert.deepEqual(world.pin(529).rawHistory, [0, 1]);
  });

  it('keeps an output exported at its safe level after stop', async () => {
    const world = new FakeGpioWorld();
    const relay = new OnoffOutputLine('relay', world.driver, 529, { activeLow: true, safeOn: false }, silentLogger);
    await relay.start();
    await relay.set(true);
    await relay.stop();
    assert.deepEqual([world.pin(529).exported, world.pin(529).direction, world.pin(529).raw], [true, 'out', 1]);
  });

  it('watches inputs on both edges with the configured debounce', async () => {
    const world = new FakeGpioWorld();
    const beam = new OnoffInputLine('passage', world.driver, 517, { activeLow: true, debounceMs: 25 }, silentLogger);
    await beam.start();
    assert.deepEqual(world.constructions[0], {
      gpio: 517,
      direction: 'in',
      edge: 'both',
      options: { activeLow: true, debounceTimeout: 25 },
    });
    await beam.stop();
    assert.equal(world.pin(517).exported, false);
  });

  it('keeps reporting to other listeners when one throws, and logs the error', async () => {
    const clock = useFakeClock(sandbox);
    const world = new FakeGpioWorld();
    const { logger, lines } = captureLogger();
    const alarm = new OnoffInputLine('emergency', world.driver, 518, { activeLow: false, debounceMs: 0 }, logger);
    await alarm.start();
    const seen: boolean[] = [];
    alarm.onChange(() => {
      throw new Error('gate bug');
    });
    alarm.onChange((active) => seen.push(active));
    world.setRaw(518, 1);
    await clock.tickAsync(0);
    assert.deepEqual(seen, [true]);
    assert.ok(lines.some((line) => line.msg === 'input listener failed'));
  });
});
