/**
 * Grants under time: the real GateController on sinon fake timers, driven by random sequences
 * of taps, passages, commands and time passing. Checks, after every step, the promises of
 * one grant per accepted tap (issue 8, point 5).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { pino } from 'pino';
import sinon from 'sinon';
import { GateController } from './gate-controller.ts';
import { DEFAULT_GATE_SETTINGS } from './gate-settings.ts';
import type { GateJournalEntry } from './gate-state.ts';

type Step =
  | { kind: 'accept' }
  | { kind: 'reject' }
  | { kind: 'passage' }
  | { kind: 'door-forced' }
  | { kind: 'tick'; ms: number }
  | { kind: 'emergency'; active: boolean }
  | { kind: 'out-of-service'; active: boolean };

const TIMEOUT = DEFAULT_GATE_SETTINGS.passageTimeoutMs;
const PULSE = DEFAULT_GATE_SETTINGS.relayPulseMs;

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant<Step>({ kind: 'accept' }), weight: 4 },
  { arbitrary: fc.constant<Step>({ kind: 'passage' }), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: TIMEOUT + 2000 }).map((ms): Step => ({ kind: 'tick', ms })), weight: 5 },
  { arbitrary: fc.constant<Step>({ kind: 'reject' }), weight: 1 },
  { arbitrary: fc.constant<Step>({ kind: 'door-forced' }), weight: 1 },
  { arbitrary: fc.boolean().map((active): Step => ({ kind: 'emergency', active })), weight: 1 },
  { arbitrary: fc.boolean().map((active): Step => ({ kind: 'out-of-service', active })), weight: 1 },
);

interface Outcome {
  outcome: 'passed' | 'not-used';
  at: number;
}

/** One random run; throws (via assert) at the first broken promise. */
function simulate(steps: readonly Step[], relayMode: 'pulse' | 'hold'): void {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], now: 0 });
  let relay = false;
  const acceptedAt = new Map<number, number>();
  const outcomes = new Map<number, Outcome>();
  const open: number[] = []; // accepted taps without an outcome, oldest first
  let unauthorised = 0;
  const onJournal = (entry: GateJournalEntry): void => {
    if (entry.kind === 'event') {
      if (entry.event === 'tailgating' || (entry.event === 'forced-passage' && entry.detail === 'no grant')) unauthorised += 1;
      return;
    }
    assert.ok(!outcomes.has(entry.tapSeq), `tap ${entry.tapSeq} got a second outcome`);
    outcomes.set(entry.tapSeq, { outcome: entry.outcome, at: clock.now });
    if (entry.outcome === 'passed') assert.equal(entry.tapSeq, open[0], 'a passage was not credited to the oldest live grant');
    open.splice(open.indexOf(entry.tapSeq), 1);
  };
  const gate = new GateController({
    outputs: { relay: { set: (on) => void (relay = on) }, greenLight: { set: () => {} }, redLight: { set: () => {} }, buzzer: { set: () => {} } },
    display: { show: () => {} },
    journal: onJournal,
    settings: { relayMode },
    timers: clock,
    logger: pino({ level: 'silent' }),
  });
  try {
    void gate.start();
    let nextSeq = 1;
    let emergency = false;
    let lastPulseAt = -Infinity;
    let passages = 0;
    let freePassages = 0;
    for (const next of steps) {
      switch (next.kind) {
        case 'accept': {
          const tapSeq = nextSeq++;
          acceptedAt.set(tapSeq, clock.now);
          open.push(tapSeq);
          gate.onDecision({ decision: 'accept', reason: 'ok' }, tapSeq);
          if (gate.grants.includes(tapSeq) && !emergency) lastPulseAt = clock.now;
          break;
        }
        case 'reject':
          gate.onDecision({ decision: 'reject', reason: 'expired' }, nextSeq++);
          break;
        case 'passage':
          passages += 1;
          if (emergency && gate.grants.length === 0) freePassages += 1;
          gate.onPassage();
          break;
        case 'door-forced':
          gate.onDoorForced();
          break;
        case 'tick':
          clock.tick(next.ms);
          break;
        case 'emergency':
          if (!next.active && emergency && gate.grants.length > 0) lastPulseAt = clock.now;
          emergency = next.active;
          gate.onEmergency(next.active);
          break;
        case 'out-of-service':
          gate.setOutOfService(next.active);
          break;
      }
      // Live grants are exactly the accepted taps without an outcome, and none outlives its timeout.
      assert.deepEqual([...gate.grants], open, 'live grants differ from the open taps');
      for (const tapSeq of open) assert.ok(clock.now - acceptedAt.get(tapSeq)! < TIMEOUT, `grant ${tapSeq} outlived its timeout`);
      // Every passage is credited to one grant, is an alarm event, or is free (emergency).
      const passed = [...outcomes.values()].filter((o) => o.outcome === 'passed').length;
      assert.equal(passages, passed + unauthorised + freePassages, 'a passage was neither credited nor alarmed');
      // The lane is unlocked for a live grant (or an emergency), and otherwise at most for the minimum pulse.
      const pulsing = clock.now - lastPulseAt < PULSE;
      if (relayMode === 'hold' && (open.length > 0 || emergency)) assert.equal(relay, true, 'locked with a live grant');
      if (relay) assert.ok(emergency || pulsing || (relayMode === 'hold' && open.length > 0), 'unlocked without a live grant');
    }
    clock.tick(TIMEOUT + PULSE + DEFAULT_GATE_SETTINGS.alarmBuzzMs);
    assert.equal(relay, emergency, 'the relay is not at rest once every grant ended');
  } finally {
    clock.restore();
  }
  // Every accepted tap ends in exactly one outcome; an unused grant expires alone, at its own timeout.
  for (const [tapSeq, at] of acceptedAt) {
    const outcome = outcomes.get(tapSeq);
    assert.ok(outcome, `tap ${tapSeq} has no outcome`);
    if (outcome.outcome === 'passed') assert.ok(outcome.at - at < TIMEOUT);
    else assert.ok(outcome.at - at === TIMEOUT || outcome.at === at, `tap ${tapSeq} was marked not used ${outcome.at - at} ms after its accept`);
  }
  assert.equal(outcomes.size, acceptedAt.size, 'an outcome for a tap never accepted');
}

describe('gate grants: properties over random taps, passages and time', () => {
  for (const relayMode of ['pulse', 'hold'] as const) {
    it(`ends every grant exactly once, alone and in time, and unlocks only for one (${relayMode} mode)`, () => {
      fc.assert(fc.property(fc.array(step, { maxLength: 80 }), (steps) => simulate(steps, relayMode)), { numRuns: 300 });
    });
  }
});
