import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import { composeGateHardware } from './gate-hardware.ts';
import type { Lifecycle } from './ports.ts';
import { createSimulatedHardware } from './simulated-hardware.ts';
import { silentLogger, useFakeClock } from './testing/test-support.ts';

describe('simulated gate hardware', () => {
  let sandbox: sinon.SinonSandbox;
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    sandbox = sinon.createSandbox();
    clock = useFakeClock(sandbox);
  });
  afterEach(() => sandbox.restore());

  it('lets a scripted test wait for a relay pulse and the text shown', async () => {
    const gate = createSimulatedHardware(silentLogger);
    await gate.start();
    gate.qr.onCode(() => {
      void (async () => {
        await gate.relay.set(true);
        gate.display.show('Go');
        setTimeout(() => void gate.relay.set(false), 300);
      })();
    });
    const opened = gate.relay.waitFor((on) => on, 1000);
    const shown = gate.display.waitForText((rows) => rows[0] === 'Go', 1000);
    assert.equal(gate.qr.present('HC1:ABC'), true);
    await clock.tickAsync(0);
    assert.equal(await opened, true);
    assert.deepEqual(await shown, ['Go', '']);
    const closed = gate.relay.waitFor((on) => !on, 1000);
    await clock.tickAsync(300);
    await closed;
    assert.deepEqual(gate.relay.history.map((change) => [change.on, change.at]), [[false, 0], [true, 0], [false, 300]]);
  });

  it('fails a wait that times out, naming what it waited for', async () => {
    const gate = createSimulatedHardware(silentLogger);
    await gate.start();
    const waiting = gate.greenLight.waitFor((on) => on, 500);
    const failed = assert.rejects(waiting, /timed out after 500 ms waiting for output greenLight/);
    await clock.tickAsync(500);
    await failed;
  });

  it('debounces simulated inputs with the configured time', async () => {
    const gate = createSimulatedHardware(silentLogger, { debounceMs: 30 });
    await gate.start();
    gate.emergency.setLevel(true);
    await clock.tickAsync(29);
    assert.equal(gate.emergency.read(), false);
    await clock.tickAsync(1);
    assert.equal(gate.emergency.read(), true);
  });

  it('starts outputs first and the reader last, stops in reverse, outputs safe at the end', async () => {
    const gate = createSimulatedHardware(silentLogger);
    const order: string[] = [];
    for (const [name, part] of Object.entries(gate)) {
      if (typeof part !== 'object' || part === null || !('start' in part)) continue;
      const lifecycle = part as Lifecycle;
      sandbox.stub(lifecycle, 'start').callsFake(async () => void order.push(`start ${name}`));
      sandbox.stub(lifecycle, 'stop').callsFake(async () => void order.push(`stop ${name}`));
    }
    await gate.start();
    await gate.stop();
    const parts = ['relay', 'greenLight', 'redLight', 'buzzer', 'passage', 'emergency', 'doorForced', 'display', 'qr'];
    assert.deepEqual(order, [...parts.map((p) => `start ${p}`), ...[...parts].reverse().map((p) => `stop ${p}`)]);
  });

  it('stops the parts already started when one fails to start, and rethrows', async () => {
    const gate = createSimulatedHardware(silentLogger);
    sandbox.stub(gate.display, 'start').rejects(new Error('no display'));
    await assert.rejects(gate.start(), /no display/);
    assert.equal(gate.relay.isOn, false);
    await assert.rejects(gate.relay.set(true), /not started/);
  });

  it('reports every part that failed to stop, after stopping the rest', async () => {
    const stopped: string[] = [];
    const part = (name: string, fail = false): Lifecycle & { name: string } => ({
      name,
      start: async () => {},
      stop: async () => {
        stopped.push(name);
        if (fail) throw new Error(`${name} stuck`);
      },
    });
    const gate = createSimulatedHardware(silentLogger);
    const hardware = composeGateHardware({ ...gate, qr: { ...part('qr', true), onCode: () => () => {} } }, silentLogger);
    await hardware.start();
    await assert.rejects(hardware.stop(), AggregateError);
    assert.equal(gate.relay.isOn, false);
    assert.equal(stopped[0], 'qr');
  });
});
