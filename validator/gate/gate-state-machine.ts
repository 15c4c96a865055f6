/**
 * The gate state machine as a pure function: (state, input, settings) -> (state, effects).
 * No I/O and no clock: timers are effects that the driver (gate-controller.ts) schedules and
 * feeds back as inputs, so every behaviour can be tested as a table.
 *
 * The lock is logical: the `relay` output on = the lane is unlocked. Mapping that to a relay
 * level (power-to-lock wiring, active-low boards) belongs to the hardware line, not here.
 */
import type { GateEvent } from '../../protocol/uplink/tap-record.ts';
import type { GateSettings } from './gate-settings.ts';
import {
  grantTimer,
  isGrantTimer,
  tapSeqOfGrantTimer,
  type GateEffect,
  type GateInput,
  type GateJournalEntry,
  type GateState,
  type GateTimer,
} from './gate-state.ts';
import { GO_TEXT, OUT_OF_SERVICE_TEXT, rejectText, type DisplayText } from './gate-texts.ts';
import { gateView, viewEffects } from './gate-view.ts';

export interface GateTransition {
  readonly state: GateState;
  readonly effects: readonly GateEffect[];
}

export function transition(state: GateState, input: GateInput, settings: GateSettings): GateTransition {
  const fx = new Effects(settings);
  const next = apply(state, input, fx);
  return { state: next, effects: [...viewEffects(gateView(state, settings), gateView(next, settings)), ...fx.list] };
}

/** Collects the effects that are not output levels (those come from the view diff). */
class Effects {
  readonly list: GateEffect[] = [];
  constructor(readonly settings: GateSettings) {}
  start(timer: GateTimer, ms: number): void {
    this.list.push({ type: 'start-timer', timer, ms });
  }
  cancel(timer: GateTimer): void {
    this.list.push({ type: 'cancel-timer', timer });
  }
  journal(entry: GateJournalEntry): void {
    this.list.push({ type: 'journal', entry });
  }
  event(event: GateEvent, detail?: string): void {
    this.journal(detail === undefined ? { kind: 'event', event } : { kind: 'event', event, detail });
  }
  outcome(tapSeq: number, outcome: 'passed' | 'not-used'): void {
    this.journal({ kind: 'passage', tapSeq, outcome });
  }
}

function apply(s: GateState, input: GateInput, fx: Effects): GateState {
  const { settings } = fx;
  switch (input.type) {
    case 'accept':
      return accept(s, input.tapSeq, fx);
    case 'reject':
      // An out-of-service gate says so rather than judging the ticket; in an emergency the
      // rider learns the reason but the lane stays free.
      return feedback(s, s.outOfService && !s.emergency ? OUT_OF_SERVICE_TEXT : rejectText(input.reason), fx);
    case 'passage':
      return passage(s, fx);
    case 'door-forced':
      if (s.emergency) return s; // doors are released: nothing can be forced
      fx.event('forced-passage', 'door forced');
      return raiseAlarm(s, fx);
    case 'emergency':
      return emergency(s, input.active, fx);
    case 'out-of-service': {
      if (input.active === s.outOfService) return s;
      fx.event(input.active ? 'out-of-service' : 'in-service', input.reason);
      return clearFeedback({ ...s, outOfService: input.active }, fx);
    }
    case 'timer':
      return timerEnded(s, input.timer, fx);
  }
}

function accept(s: GateState, tapSeq: number, fx: Effects): GateState {
  const { settings } = fx;
  if (s.emergency) {
    // The lane is already free; the rider still gets a 'Go', and the passage is still matched
    // to the tap so clearing knows whether they went through.
    fx.start(grantTimer(tapSeq), settings.passageTimeoutMs);
    return feedback({ ...s, grants: [...s.grants, tapSeq] }, GO_TEXT, fx, false);
  }
  if (s.outOfService) {
    // The checker accepted, but this gate refuses: the tap must not be charged as a passage.
    fx.outcome(tapSeq, 'not-used');
    return feedback(s, OUT_OF_SERVICE_TEXT, fx);
  }
  // Grants add up (a second rider may tap before the first has passed), each with its own
  // timeout: a later tap never extends an earlier grant.
  if (s.tailgateWindow) fx.cancel('tailgate-window');
  fx.start('relay-pulse', settings.relayPulseMs);
  fx.start(grantTimer(tapSeq), settings.passageTimeoutMs);
  const granted = { ...s, grants: [...s.grants, tapSeq], pulsing: true, tailgateWindow: false };
  return clearFeedback(granted, fx);
}

/** A rider through: consumes the oldest live grant, or raises the alarm when there is none. */
function passage(s: GateState, fx: Effects): GateState {
  const [tapSeq, ...rest] = s.grants;
  if (tapSeq !== undefined) {
    fx.cancel(grantTimer(tapSeq));
    fx.outcome(tapSeq, 'passed');
    if (rest.length > 0 || s.emergency) return { ...s, grants: rest };
    // Relock early; the pulse, if still running, ends on its own so the lane controller sees it.
    fx.start('tailgate-window', fx.settings.tailgateWindowMs);
    return { ...s, grants: [], tailgateWindow: true };
  }
  if (s.emergency) return s; // free passage: nobody to alarm about
  fx.event(s.tailgateWindow ? 'tailgating' : 'forced-passage', s.tailgateWindow ? undefined : 'no grant');
  return raiseAlarm(s, fx);
}

/** A grant's own timeout: that tap alone is marked not used; the others keep their time. */
function expire(s: GateState, tapSeq: number, fx: Effects): GateState {
  if (!s.grants.includes(tapSeq)) return s; // consumed by a passage as its timer fired
  fx.outcome(tapSeq, 'not-used');
  return { ...s, grants: s.grants.filter((granted) => granted !== tapSeq) };
}

function emergency(s: GateState, active: boolean, fx: Effects): GateState {
  if (active === s.emergency) return s;
  fx.event(active ? 'emergency-on' : 'emergency-off');
  if (active) {
    if (s.tailgateWindow) fx.cancel('tailgate-window');
    return clearFeedback({ ...s, emergency: true, tailgateWindow: false }, fx);
  }
  const cleared = clearFeedback({ ...s, emergency: false }, fx);
  if (cleared.grants.length === 0) return cleared;
  // Riders granted during the emergency still need the lane to open for them.
  fx.start('relay-pulse', fx.settings.relayPulseMs);
  return { ...cleared, pulsing: true };
}

function timerEnded(s: GateState, timer: GateTimer, fx: Effects): GateState {
  if (isGrantTimer(timer)) return expire(s, tapSeqOfGrantTimer(timer), fx);
  switch (timer) {
    case 'relay-pulse':
      return { ...s, pulsing: false };
    case 'buzzer':
      return { ...s, buzzing: false };
    case 'alarm':
      return { ...s, alarm: false };
    case 'feedback':
      return { ...s, feedback: null };
    case 'tailgate-window':
      return { ...s, tailgateWindow: false };
  }
}

/** Shows `text` to the rider for the feedback time; red ones also sound the buzzer. */
function feedback(s: GateState, text: DisplayText, fx: Effects, red = true): GateState {
  fx.start('feedback', fx.settings.feedbackMs);
  const shown = { ...s, feedback: { text, red } };
  return red ? buzz(shown, fx.settings.rejectBuzzMs, fx) : shown;
}

function clearFeedback(s: GateState, fx: Effects): GateState {
  if (!s.feedback) return s;
  fx.cancel('feedback');
  return { ...s, feedback: null };
}

function buzz(s: GateState, ms: number, fx: Effects): GateState {
  fx.start('buzzer', ms);
  return { ...s, buzzing: true };
}

/** Tailgating or a forced passage: buzzer and red light, on their own timer so a reject's short buzz cannot cut them off. */
function raiseAlarm(s: GateState, fx: Effects): GateState {
  fx.start('alarm', fx.settings.alarmBuzzMs);
  return { ...s, alarm: true };
}
