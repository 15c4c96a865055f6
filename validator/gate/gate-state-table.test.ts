import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL_GATE_STATE, type GateInput, type GateJournalEntry, type GateState, type GateStateName } from './gate-state.ts';
import { gateView } from './gate-view.ts';
import { PASSAGE, PULSE, accept, event, journalOf, notUsed, passed, reject, run, timer } from './gate-test-support.ts';

/** One fixture per state; `unlocked` is after the unlock pulse ended (the rider is walking up). */
const FIXTURES: Record<GateStateName, GateState> = {
  closed: INITIAL_GATE_STATE,
  unlocked: run([accept(7), timer('relay-pulse')]).state,
  emergency: run([{ type: 'emergency', active: true }]).state,
  'out-of-service': run([{ type: 'out-of-service', active: true }]).state,
};

const INPUTS = {
  accept: accept(9),
  reject: reject('expired'),
  passage: PASSAGE,
  'door-forced': { type: 'door-forced' },
  'emergency-on': { type: 'emergency', active: true },
  'emergency-off': { type: 'emergency', active: false },
  'out-of-service-on': { type: 'out-of-service', active: true, reason: 'maintenance' },
  'out-of-service-off': { type: 'out-of-service', active: false },
  /** The timeout of the fixture's grant (tap 7); in the other states no such grant is live. */
  'grant-7-timeout': timer('grant:7'),
  'relay-pulse-end': timer('relay-pulse'),
  'feedback-end': timer('feedback'),
  'buzzer-end': timer('buzzer'),
  'alarm-end': timer('alarm'),
  'tailgate-window-end': timer('tailgate-window'),
} as const satisfies Record<string, GateInput>;

type Row = [to: GateStateName, journal: GateJournalEntry[], relayUnlocked: boolean];
const quiet = (to: GateStateName, relay: boolean): Row => [to, [], relay];

/** Every state x every input, in pulse mode: the state after, what is journalled, the lock. */
const TABLE: Record<GateStateName, Record<keyof typeof INPUTS, Row>> = {
  closed: {
    accept: quiet('unlocked', true),
    reject: quiet('closed', false),
    passage: ['closed', [event('forced-passage', 'no grant')], false],
    'door-forced': ['closed', [event('forced-passage', 'door forced')], false],
    'emergency-on': ['emergency', [event('emergency-on')], true],
    'emergency-off': quiet('closed', false),
    'out-of-service-on': ['out-of-service', [event('out-of-service', 'maintenance')], false],
    'out-of-service-off': quiet('closed', false),
    'grant-7-timeout': quiet('closed', false),
    'relay-pulse-end': quiet('closed', false),
    'feedback-end': quiet('closed', false),
    'buzzer-end': quiet('closed', false),
    'alarm-end': quiet('closed', false),
    'tailgate-window-end': quiet('closed', false),
  },
  unlocked: {
    accept: quiet('unlocked', true),
    reject: quiet('unlocked', false),
    passage: ['closed', [passed(7)], false],
    'door-forced': ['unlocked', [event('forced-passage', 'door forced')], false],
    'emergency-on': ['emergency', [event('emergency-on')], true],
    'emergency-off': quiet('unlocked', false),
    'out-of-service-on': ['unlocked', [event('out-of-service', 'maintenance')], false],
    'out-of-service-off': quiet('unlocked', false),
    'grant-7-timeout': ['closed', [notUsed(7)], false],
    'relay-pulse-end': quiet('unlocked', false),
    'feedback-end': quiet('unlocked', false),
    'buzzer-end': quiet('unlocked', false),
    'alarm-end': quiet('unlocked', false),
    'tailgate-window-end': quiet('unlocked', false),
  },
  emergency: {
    accept: quiet('emergency', true),
    reject: quiet('emergency', true),
    passage: quiet('emergency', true),
    'door-forced': quiet('emergency', true),
    'emergency-on': quiet('emergency', true),
    'emergency-off': ['closed', [event('emergency-off')], false],
    'out-of-service-on': ['emergency', [event('out-of-service', 'maintenance')], true],
    'out-of-service-off': quiet('emergency', true),
    'grant-7-timeout': quiet('emergency', true),
    'relay-pulse-end': quiet('emergency', true),
    'feedback-end': quiet('emergency', true),
    'buzzer-end': quiet('emergency', true),
    'alarm-end': quiet('emergency', true),
    'tailgate-window-end': quiet('emergency', true),
  },
  'out-of-service': {
    accept: ['out-of-service', [notUsed(9)], false],
    reject: quiet('out-of-service', false),
    passage: ['out-of-service', [event('forced-passage', 'no grant')], false],
    'door-forced': ['out-of-service', [event('forced-passage', 'door forced')], false],
    'emergency-on': ['emergency', [event('emergency-on')], true],
    'emergency-off': quiet('out-of-service', false),
    'out-of-service-on': quiet('out-of-service', false),
    'out-of-service-off': ['closed', [event('in-service')], false],
    'grant-7-timeout': quiet('out-of-service', false),
    'relay-pulse-end': quiet('out-of-service', false),
    'feedback-end': quiet('out-of-service', false),
    'buzzer-end': quiet('out-of-service', false),
    'alarm-end': quiet('out-of-service', false),
    'tailgate-window-end': quiet('out-of-service', false),
  },
};

const CELLS = Object.entries(TABLE).flatMap(([from, row]) =>
  Object.entries(row).map(([input, expected]) => ({
    from: from as GateStateName,
    input: input as keyof typeof INPUTS,
    expected,
  })),
);

describe('gate state machine: every state x every input', () => {
  for (const { from, input, expected } of CELLS) {
    const [to, journal, relay] = expected;
    it(`${from} + ${input} -> ${to}, journals ${journal.length} entr${journal.length === 1 ? 'y' : 'ies'}, lane ${relay ? 'unlocked' : 'locked'}`, () => {
      const after = run([INPUTS[input]], FIXTURES[from]);
      assert.equal(after.name, to);
      assert.deepEqual(journalOf(after.effects), journal);
      assert.equal(after.view.relay, relay);
    });
  }

  it('journals every state change that a tap decision did not cause', () => {
    // An accept opening the lane is journalled by the tap record itself, before the gate opens.
    for (const { from, input, expected } of CELLS) {
      if (expected[0] !== from && input !== 'accept') assert.ok(expected[1].length > 0, `${from} + ${input}`);
    }
  });

  it('sounds the buzzer and lights red for every passage without a grant and every forced door', () => {
    for (const { from, input, expected } of CELLS) {
      const alarmed = expected[1].some((entry) => entry.kind === 'event' && (entry.event === 'forced-passage' || entry.event === 'tailgating'));
      const { view } = run([INPUTS[input]], FIXTURES[from]);
      if (alarmed) assert.ok(view.buzzer && view.redLight, `${from} + ${input}`);
    }
  });

  it('starts from closed with every output off and the ready text', () => {
    const view = gateView(INITIAL_GATE_STATE, PULSE);
    assert.deepEqual(view, {
      relay: false,
      greenLight: false,
      redLight: false,
      buzzer: false,
      text: { line1: 'Scan your ticket', line2: '' },
    });
  });
});

