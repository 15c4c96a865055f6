import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import sinon from 'sinon';
import { GateController } from './gate-controller.ts';
import type { GateOutputs } from './gate-ports.ts';
import type { GateSettings } from './gate-settings.ts';
import type { GateJournalEntry } from './gate-state.ts';

const ACCEPT = { decision: 'accept', reason: 'ok' } as const;
const passed = (tapSeq: number): GateJournalEntry => ({ kind: 'passage', tapSeq, outcome: 'passed' });
const notUsed = (tapSeq: number): GateJournalEntry => ({ kind: 'passage', tapSeq, outcome: 'not-used' });

describe('gate controller', () => {
  let sandbox: sinon.SinonSandbox;
  let clock: sinon.SinonFakeTimers;
  let outputs: { [K in keyof GateOutputs]: { set: sinon.SinonSpy<[boolean], void> } };
  let show: sinon.SinonSpy<[string, string], void>;
  let journal: GateJournalEntry[];
  let logLines: string[];

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    clock = sandbox.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const line = () => ({ set: sandbox.spy((_on: boolean): void => undefined) });
    outputs = { relay: line(), greenLight: line(), redLight: line(), buzzer: line() };
    show = sandbox.spy((_line1: string, _line2: string): void => undefined);
    journal = [];
    logLines = [];
  });

  afterEach(() => sandbox.restore());

  function buildGate(settings: Partial<GateSettings> = {}, over: Partial<GateOutputs> = {}) {
    return new GateController({
      outputs: { ...outputs, ...over },
      display: { show },
      journal: (entry) => void journal.push(entry),
      settings,
      timers: clock,
      logger: pino({}, { write: (line: string) => void logLines.push(line) }),
    });
  }

  async function startGate(settings: Partial<GateSettings> = {}, over: Partial<GateOutputs> = {}) {
    const gate = buildGate(settings, over);
    await gate.start();
    return gate;
  }

  /** The level last written to a line, or undefined if never written. */
  const level = (name: keyof GateOutputs): boolean | undefined => outputs[name].set.lastCall?.args[0];
  const relayWrites = () => outputs.relay.set.getCalls().map((call) => call.args[0]);
  const shown = () => show.lastCall?.args;

  it('drives every output to the closed state on start, whatever the lines held before', async () => {
    const gate = await startGate();
    assert.deepEqual([level('relay'), level('greenLight'), level('redLight'), level('buzzer')], [false, false, false, false]);
    assert.deepEqual(shown(), ['Scan your ticket', '']);
    assert.equal(gate.stateName, 'closed');
    assert.equal(gate.canAdmit(), true);
  });

  it('pulses the relay on an accept, then relocks on the passage and records it passed', async () => {
    const gate = await startGate();
    gate.onDecision(ACCEPT, 11);
    assert.equal(level('relay'), true);
    assert.equal(level('greenLight'), true);
    assert.deepEqual(shown(), ['Go', '']);
    await clock.tickAsync(200);
    assert.deepEqual(relayWrites(), [false, true, false]);
    assert.equal(gate.stateName, 'unlocked');
    await clock.tickAsync(1000);
    gate.onPassage();
    assert.equal(gate.stateName, 'closed');
    assert.equal(level('greenLight'), false);
    assert.deepEqual(journal, [passed(11)]);
  });

  it('holds the relay until the passage when the lane has a plain electric lock', async () => {
    const gate = await startGate({ relayMode: 'hold' });
    gate.onDecision(ACCEPT, 11);
    await clock.tickAsync(3000);
    assert.equal(level('relay'), true);
    gate.onPassage();
    assert.deepEqual(relayWrites(), [false, true, false]);
  });

  it('marks the tap not used and relocks when nobody passes within the timeout', async () => {
    const gate = await startGate({ relayMode: 'hold' });
    gate.onDecision(ACCEPT, 12);
    await clock.tickAsync(4999);
    assert.deepEqual(journal, []);
    await clock.tickAsync(1);
    assert.deepEqual(journal, [notUsed(12)]);
    assert.equal(level('relay'), false);
    assert.equal(gate.stateName, 'closed');
  });

  it('expires an unused grant alone at its own timeout while later riders keep coming and passing', async () => {
    const gate = await startGate({ relayMode: 'hold' });
    gate.onDecision(ACCEPT, 30); // this rider never walks through
    for (let seq = 31; seq <= 34; seq += 1) {
      await clock.tickAsync(1000);
      gate.onDecision(ACCEPT, seq);
    }
    await clock.tickAsync(1000); // 5 s after tap 30
    assert.deepEqual(journal, [notUsed(30)]);
    assert.deepEqual(gate.grants, [31, 32, 33, 34]);
    gate.onPassage();
    assert.deepEqual(journal, [notUsed(30), passed(31)], 'the passage is credited to the oldest live grant');
    await clock.tickAsync(5000);
    assert.deepEqual(journal, [notUsed(30), passed(31), notUsed(32), notUsed(33), notUsed(34)]);
    assert.equal(level('relay'), false);
    gate.onPassage(); // someone without a ticket, long after: no grant is left to use
    assert.deepEqual(journal.at(-1), { kind: 'event', event: 'forced-passage', detail: 'no grant' });
    assert.equal(level('relay'), false);
    assert.equal(level('redLight'), true);
    assert.equal(level('buzzer'), true);
  });

  it('keeps the relay released when the ticket is expired, with red, buzzer and the reason', async () => {
    const gate = await startGate();
    gate.onDecision({ decision: 'reject', reason: 'expired' }, 13);
    assert.deepEqual(relayWrites(), [false]);
    assert.equal(level('redLight'), true);
    assert.equal(level('buzzer'), true);
    assert.deepEqual(shown(), ['Ticket expired', 'Buy a new ticket']);
    await clock.tickAsync(2500);
    assert.equal(level('redLight'), false);
    assert.equal(level('buzzer'), false);
    assert.deepEqual(shown(), ['Scan your ticket', '']);
    assert.equal(gate.stateName, 'closed');
  });

  it('overrides everything in an emergency and stays latched until the input clears', async () => {
    const gate = await startGate();
    gate.setOutOfService(true, 'cleaning');
    gate.onEmergency(true);
    assert.equal(level('relay'), true);
    assert.deepEqual(shown(), ['Emergency', 'Free passage']);
    gate.onDecision({ decision: 'reject', reason: 'revoked' }, 14);
    gate.onDoorForced();
    gate.onPassage();
    gate.setOutOfService(false);
    await clock.tickAsync(60_000);
    assert.deepEqual(relayWrites(), [false, true]);
    assert.equal(gate.stateName, 'emergency');
    assert.equal(gate.canAdmit(), false);
    gate.onEmergency(false);
    assert.equal(level('relay'), false);
    assert.equal(gate.stateName, 'closed');
    const events = journal.map((entry) => (entry.kind === 'event' ? entry.event : entry.outcome));
    assert.deepEqual(events, ['out-of-service', 'emergency-on', 'in-service', 'emergency-off']);
  });

  it('raises the alarm for a passage without a grant and for a forced door', async () => {
    const gate = await startGate();
    gate.onPassage();
    assert.equal(level('buzzer'), true);
    await clock.tickAsync(2000);
    assert.equal(level('buzzer'), false);
    gate.onDoorForced();
    assert.deepEqual(journal, [
      { kind: 'event', event: 'forced-passage', detail: 'no grant' },
      { kind: 'event', event: 'forced-passage', detail: 'door forced' },
    ]);
  });

  it('reports tailgating when a second rider slips through behind a granted one', async () => {
    const gate = await startGate();
    gate.onDecision(ACCEPT, 15);
    await clock.tickAsync(800);
    gate.onPassage();
    await clock.tickAsync(300);
    gate.onPassage();
    assert.deepEqual(journal, [passed(15), { kind: 'event', event: 'tailgating' }]);
    assert.equal(level('relay'), false);
  });

  it('rejects every tap while out of service and never unlocks', async () => {
    const gate = await startGate();
    gate.setOutOfService(true, 'maintenance');
    assert.deepEqual(shown(), ['Out of service', 'Use another gate']);
    assert.equal(level('redLight'), true);
    assert.equal(gate.canAdmit(), false);
    gate.onDecision(ACCEPT, 16);
    gate.onDecision({ decision: 'reject', reason: 'expired' }, 17);
    await clock.tickAsync(10_000);
    assert.deepEqual(relayWrites(), [false]);
    assert.deepEqual(shown(), ['Out of service', 'Use another gate']);
    gate.setOutOfService(false);
    assert.deepEqual(journal, [
      { kind: 'event', event: 'out-of-service', detail: 'maintenance' },
      notUsed(16),
      { kind: 'event', event: 'in-service' },
    ]);
    assert.equal(gate.stateName, 'closed');
  });

  it('leaves the lane unlocked, dark and out of service on stop by default, with no timer left', async () => {
    const gate = await startGate();
    gate.onDecision(ACCEPT, 18);
    gate.onDecision({ decision: 'reject', reason: 'expired' }, 19);
    await gate.stop();
    assert.deepEqual([level('relay'), level('greenLight'), level('redLight'), level('buzzer')], [true, false, false, false]);
    assert.deepEqual(shown(), ['Out of service', 'Use another gate']);
    assert.deepEqual(journal, [notUsed(18)]);
    assert.equal(clock.countTimers(), 0);
    assert.equal(gate.stateName, 'stopped');
  });

  it('leaves the lane locked on stop when configured fail-locked, unless the emergency input is active', async () => {
    const locked = await startGate({ failSafe: 'locked' });
    await locked.stop();
    assert.equal(level('relay'), false);
    const emergency = await startGate({ failSafe: 'locked' });
    emergency.onEmergency(true);
    await emergency.stop();
    assert.equal(level('relay'), true);
  });

  it('ignores inputs once stopped but still closes an accepted tap as not used', async () => {
    const gate = await startGate();
    await gate.stop();
    const writes = outputs.relay.set.callCount;
    gate.onDecision(ACCEPT, 20);
    gate.onPassage();
    assert.equal(outputs.relay.set.callCount, writes);
    assert.deepEqual(journal, [notUsed(20)]);
  });

  it('journals every state change that a tap did not cause', async () => {
    const gate = await startGate();
    let before = gate.stateName;
    const steps: Array<[string, () => unknown]> = [
      ['accept', () => gate.onDecision(ACCEPT, 21)],
      ['passage', () => gate.onPassage()],
      ['out of service', () => gate.setOutOfService(true)],
      ['emergency on', () => gate.onEmergency(true)],
      ['emergency off', () => gate.onEmergency(false)],
      ['in service', () => gate.setOutOfService(false)],
      ['accept', () => gate.onDecision(ACCEPT, 22)],
      ['timeout', () => clock.tick(5000)],
    ];
    for (const [name, act] of steps) {
      const count = journal.length;
      act();
      if (gate.stateName !== before && name !== 'accept') assert.ok(journal.length > count, name);
      before = gate.stateName;
    }
    assert.equal(journal.length, 6);
  });

  it('logs a failing output and still drives the others', async () => {
    const broken = { set: sandbox.stub() };
    broken.set.onFirstCall().returns(undefined);
    broken.set.throws(new Error('EIO'));
    const gate = await startGate({}, { greenLight: broken });
    gate.onDecision(ACCEPT, 23);
    assert.equal(level('relay'), true);
    assert.deepEqual(shown(), ['Go', '']);
    assert.ok(logLines.some((line) => line.includes('gate output failed') && line.includes('greenLight')));
    await assert.rejects(gate.stop(), /fail-safe/);
    assert.equal(level('relay'), true);
  });

  it('refuses to start when an output cannot be driven to its closed level', async () => {
    const gate = buildGate({}, { relay: { set: () => Promise.reject(new Error('EREMOTEIO')) } });
    await assert.rejects(gate.start(), /closed state/);
    assert.equal(gate.stateName, 'stopped');
  });

  it('keeps writes to an async line in order, even when a later write is faster', async () => {
    // An I2C expander line: energising takes 300 ms here, releasing 10 ms. Unchained, the
    // release (sent at 200 ms) would land before the energise and leave the lane unlocked.
    const levels: boolean[] = [];
    const write = (on: boolean) => new Promise<void>((resolve) => {
      clock.setTimeout(() => resolve(void levels.push(on)), on ? 300 : 10);
    });
    const gate = buildGate({}, { relay: { set: write } });
    const started = gate.start();
    await clock.tickAsync(10);
    await started;
    gate.onDecision(ACCEPT, 24);
    await clock.tickAsync(1000);
    await gate.idle();
    assert.deepEqual(levels, [false, true, false]);
  });
});
