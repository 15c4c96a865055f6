import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_GATE_SETTINGS, type GateSettings } from './gate-settings.ts';
import { transition } from './gate-state-machine.ts';
import { INITIAL_GATE_STATE, gateStateName, grantTimer, isGrantTimer, type GateInput, type GateTimer } from './gate-state.ts';
import { gateView } from './gate-view.ts';

/** What a run can do next: a rider or operator input, or the firing of a timer that is running. */
type Step = { kind: 'input'; input: GateInput } | { kind: 'fire'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'input', input: { type: 'accept', tapSeq: 0 } }),
  fc.constantFrom('expired', 'passback', 'nonsense').map((reason): Step => ({ kind: 'input', input: { type: 'reject', reason } })),
  fc.constant<Step>({ kind: 'input', input: { type: 'passage' } }),
  fc.constant<Step>({ kind: 'input', input: { type: 'door-forced' } }),
  fc.boolean().map((active): Step => ({ kind: 'input', input: { type: 'emergency', active } })),
  fc.boolean().map((active): Step => ({ kind: 'input', input: { type: 'out-of-service', active } })),
  fc.nat(4).map((pick): Step => ({ kind: 'fire', pick })),
);

/** Runs the machine like the controller would, checking invariants after every transition. */
function simulate(steps: readonly Step[], settings: GateSettings): void {
  let state = INITIAL_GATE_STATE;
  let nextSeq = 1;
  const running = new Set<GateTimer>();
  const accepted: number[] = [];
  const outcomes = new Map<number, number>();
  const emergencyEvents: string[] = [];

  const feed = (input: GateInput): void => {
    const before = state;
    const result = transition(state, input, settings);
    state = result.state;
    for (const effect of result.effects) {
      if (effect.type === 'start-timer') running.add(effect.timer);
      if (effect.type === 'cancel-timer') running.delete(effect.timer);
      if (effect.type === 'output' && effect.output === 'relay' && effect.on) {
        assert.notEqual(input.type, 'reject', 'a reject energised the relay');
      }
      if (effect.type !== 'journal') continue;
      const { entry } = effect;
      if (entry.kind === 'passage') outcomes.set(entry.tapSeq, (outcomes.get(entry.tapSeq) ?? 0) + 1);
      else if (entry.event.startsWith('emergency')) emergencyEvents.push(entry.event);
    }
    if (gateStateName(state) === 'emergency') assert.ok(gateView(state, settings).relay, 'emergency left the lane locked');
    // Every live grant has its own timer running, and no timer outlives its grant: none can outlive its timeout.
    const grantTimers = [...running].filter(isGrantTimer).sort();
    assert.deepEqual(grantTimers, state.grants.map(grantTimer).sort(), 'live grants and their timers differ');
    if (!before.emergency && !state.emergency && input.type === 'passage' && before.grants.length === 0) {
      assert.ok(result.effects.some((e) => e.type === 'journal'), 'an unexplained passage raised no alarm');
    }
  };

  for (const next of steps) {
    if (next.kind === 'input') {
      const input = next.input.type === 'accept' ? { type: 'accept' as const, tapSeq: nextSeq++ } : next.input;
      if (input.type === 'accept') accepted.push(input.tapSeq);
      feed(input);
    } else {
      const timers = [...running];
      const timer = timers[next.pick % Math.max(1, timers.length)];
      if (timer === undefined) continue;
      running.delete(timer);
      feed({ type: 'timer', timer });
    }
  }
  // Let every running timer end, as time passing would.
  for (let timer = running.values().next().value; timer !== undefined; timer = running.values().next().value) {
    running.delete(timer);
    feed({ type: 'timer', timer });
  }

  for (const seq of accepted) assert.equal(outcomes.get(seq), 1, `tap ${seq} has ${outcomes.get(seq) ?? 0} outcomes`);
  assert.equal(outcomes.size, accepted.length, 'an outcome for a tap never accepted');
  emergencyEvents.forEach((event, i) => assert.equal(event, i % 2 === 0 ? 'emergency-on' : 'emergency-off'));
  const view = gateView(state, settings);
  assert.equal(view.buzzer, false, 'the buzzer outlived its timer');
  assert.equal(view.relay, state.emergency, 'the relay is not at rest once every timer ended');
}

describe('gate state machine: properties over random input sequences', () => {
  for (const relayMode of ['pulse', 'hold'] as const) {
    it(`gives every accepted tap exactly one outcome and never strands the relay (${relayMode} mode)`, () => {
      const settings = { ...DEFAULT_GATE_SETTINGS, relayMode };
      fc.assert(fc.property(fc.array(step, { maxLength: 60 }), (steps) => simulate(steps, settings)), { numRuns: 500 });
    });
  }
});
