/** Shared by the pure state machine tests: folding inputs through `transition`, and input builders. */
import { DEFAULT_GATE_SETTINGS, type GateSettings } from './gate-settings.ts';
import { transition } from './gate-state-machine.ts';
import {
  INITIAL_GATE_STATE,
  gateStateName,
  type GateEffect,
  type GateInput,
  type GateJournalEntry,
  type GateState,
} from './gate-state.ts';
import { gateView } from './gate-view.ts';

export const PULSE: GateSettings = { ...DEFAULT_GATE_SETTINGS };
export const HOLD: GateSettings = { ...DEFAULT_GATE_SETTINGS, relayMode: 'hold' };

export function run(inputs: readonly GateInput[], from: GateState = INITIAL_GATE_STATE, settings = PULSE) {
  let state = from;
  const effects: GateEffect[] = [];
  for (const input of inputs) {
    const step = transition(state, input, settings);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects, name: gateStateName(state), view: gateView(state, settings) };
}

export const journalOf = (effects: readonly GateEffect[]): GateJournalEntry[] =>
  effects.flatMap((effect) => (effect.type === 'journal' ? [effect.entry] : []));

export const accept = (tapSeq: number): GateInput => ({ type: 'accept', tapSeq });
export const reject = (reason: string): GateInput => ({ type: 'reject', reason });
export const PASSAGE: GateInput = { type: 'passage' };
export const timer = (name: Extract<GateInput, { type: 'timer' }>['timer']): GateInput => ({ type: 'timer', timer: name });
export const passed = (tapSeq: number): GateJournalEntry => ({ kind: 'passage', tapSeq, outcome: 'passed' });
export const notUsed = (tapSeq: number): GateJournalEntry => ({ kind: 'passage', tapSeq, outcome: 'not-used' });
export const event = (name: Extract<GateJournalEntry, { kind: 'event' }>['event'], detail?: string): GateJournalEntry =>
  detail === undefined ? { kind: 'event', event: name } : { kind: 'event', event: name, detail };

