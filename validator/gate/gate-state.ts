/**
 * The gate's state, inputs and effects (architecture.md, "Gate behaviour"; hardware.md,
 * "Turnstile behaviour"). The state name is derived from latched conditions, in order of
 * precedence: the emergency input (free passage overrides everything), then riders still
 * granted (an out-of-service command waits for them so nobody is locked in mid-passage), then
 * the out-of-service command.
 */
import type { GateEventRecord, PassageRecord } from '../../protocol/uplink/tap-record.ts';
import type { DisplayText } from './gate-texts.ts';

export type GateStateName = 'closed' | 'unlocked' | 'emergency' | 'out-of-service';
export type GateTimer = 'relay-pulse' | 'passage' | 'feedback' | 'buzzer' | 'tailgate-window';
export type GateOutputName = 'relay' | 'greenLight' | 'redLight' | 'buzzer';

/**
 * What the gate adds to the journal: a gate event or the outcome of an accepted tap. The
 * journal adds device, seq, time and place to make a GateEventRecord or PassageRecord. The
 * accepted tap itself is journalled by the tap pipeline before the gate opens.
 */
export type GateJournalEntry =
  | Pick<GateEventRecord, 'kind' | 'event' | 'detail'>
  | Pick<PassageRecord, 'kind' | 'tapSeq' | 'outcome'>;

export type GateInput =
  | { type: 'accept'; tapSeq: number }
  | { type: 'reject'; reason: string }
  /** One rider through: the beam broken, then restored. */
  | { type: 'passage' }
  | { type: 'door-forced' }
  | { type: 'emergency'; active: boolean }
  | { type: 'out-of-service'; active: boolean; reason?: string }
  | { type: 'timer'; timer: GateTimer };

export type GateEffect =
  | { type: 'output'; output: GateOutputName; on: boolean }
  | { type: 'display'; line1: string; line2: string }
  /** Starting a timer that is running restarts it. */
  | { type: 'start-timer'; timer: GateTimer; ms: number }
  | { type: 'cancel-timer'; timer: GateTimer }
  | { type: 'journal'; entry: GateJournalEntry };

export interface Feedback {
  readonly text: DisplayText;
  /** Red for a refusal, green for an accept shown during an emergency. */
  readonly red: boolean;
}

export interface GateState {
  readonly emergency: boolean;
  readonly outOfService: boolean;
  /** Accepted taps whose rider has not passed yet, oldest first. */
  readonly pending: readonly number[];
  /** The unlock pulse (minimum unlock time) is running. */
  readonly pulsing: boolean;
  readonly buzzing: boolean;
  /** Just after a granted passage relocked the lane (see GateSettings.tailgateWindowMs). */
  readonly tailgateWindow: boolean;
  /** What the last rider is shown until the feedback timer ends; null = the state's own text. */
  readonly feedback: Feedback | null;
}

export const INITIAL_GATE_STATE: GateState = {
  emergency: false,
  outOfService: false,
  pending: [],
  pulsing: false,
  buzzing: false,
  tailgateWindow: false,
  feedback: null,
};

export function gateStateName(state: GateState): GateStateName {
  if (state.emergency) return 'emergency';
  if (state.pending.length > 0) return 'unlocked';
  return state.outOfService ? 'out-of-service' : 'closed';
}

/** True when a valid tap can open the lane: in service and not in emergency. */
export function canAdmit(state: GateState): boolean {
  return !state.emergency && !state.outOfService;
}

