/**
 * What the lane shows in a state, and the output writes that take it from one view to the
 * next. Deriving outputs from the state (rather than writing them in each transition) means
 * no transition can forget to switch a light off.
 */
import type { GateSettings } from './gate-settings.ts';
import { gateStateName, type GateEffect, type GateState, type GateStateName } from './gate-state.ts';
import { EMERGENCY_TEXT, GO_TEXT, OUT_OF_SERVICE_TEXT, READY_TEXT, type DisplayText } from './gate-texts.ts';

/** Every output's level: what the lane should look like in a state. */
export interface GateView {
  readonly relay: boolean;
  readonly greenLight: boolean;
  readonly redLight: boolean;
  readonly buzzer: boolean;
  readonly text: DisplayText;
}

const STATE_TEXT: Readonly<Record<GateStateName, DisplayText>> = {
  closed: READY_TEXT,
  unlocked: GO_TEXT,
  emergency: EMERGENCY_TEXT,
  'out-of-service': OUT_OF_SERVICE_TEXT,
};

export function gateView(state: GateState, settings: GateSettings): GateView {
  const name = gateStateName(state);
  const held = settings.relayMode === 'hold' && state.grants.length > 0;
  const relay = state.emergency || state.pulsing || held;
  const buzzer = state.buzzing || state.alarm;
  // An alarm (tailgating, forced passage) shows red over whatever else the lane shows.
  if (state.feedback) {
    const { text, red } = state.feedback;
    return { relay, greenLight: !red && !state.alarm, redLight: red || state.alarm, buzzer, text };
  }
  const greenLight = (name === 'unlocked' || name === 'emergency') && !state.alarm;
  return { relay, greenLight, redLight: name === 'out-of-service' || state.alarm, buzzer, text: STATE_TEXT[name] };
}

/** Effects that take the outputs from `before` to `after` (all of them when `before` is null). */
export function viewEffects(before: GateView | null, after: GateView): GateEffect[] {
  const effects: GateEffect[] = [];
  // The relay first: it is the one that matters for safety.
  for (const output of ['relay', 'greenLight', 'redLight', 'buzzer'] as const) {
    if (before?.[output] !== after[output]) effects.push({ type: 'output', output, on: after[output] });
  }
  if (before?.text.line1 !== after.text.line1 || before.text.line2 !== after.text.line2) {
    effects.push({ type: 'display', line1: after.text.line1, line2: after.text.line2 });
  }
  return effects;
}

