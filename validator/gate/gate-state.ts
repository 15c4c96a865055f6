/**
 * The gate's state, inputs and effects (architecture.md, "Gate behaviour"; hardware.md,
 * "Turnstile behaviour"). The state name is derived from latched conditions, in order of
 * precedence: the emergency input (free passage overrides everything), then live grants
 * (an out-of-service command waits for them so nobody is locked in mid-passage), then the
 * out-of-service command.
 *
 * A grant is one accepted tap's right to one passage. Each has its own timeout timer
 * (`grant:<tapSeq>`), so a grant nobody uses expires alone and never lives on behind later
 * riders; a passage consumes the oldest live grant and is credited to its tap.
 */
import type { GateEventRecord, PassageRecord } from '../../protocol/uplink/tap-record.ts';
import type { DisplayText } from './gate-texts.ts';

export type GateStateName = 'closed' | 'unlocked' | 'emergency' | 'out-of-service';
/** The timer of one grant: its tap's sequence number makes it unique. */
export type GrantTimer = `grant:${number}`;
export type GateTimer = 'relay-pulse' | 'feedback' | 'buzzer' | 'alarm' | 'tailgate-window' | GrantTimer;
export const grantTimer = (tapSeq: number): GrantTimer => `grant:${tapSeq}`;

export function isGrantTimer(timer: GateTimer): timer is GrantTimer {
  return timer.startsWith('grant:');
}

/** The tap sequence number a grant's timer belongs to. */
export const tapSeqOfGrantTimer = (timer: GrantTimer): number => Number(timer.slice('grant:'.length));
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
  /** Live grants: the tap seqs of accepted riders who have not passed yet, oldest first. */
  readonly grants: readonly number[];
  /** The unlock pulse (minimum unlock time) is running. */
  readonly pulsing: boolean;
  /** The buzzer for a reject. */
  readonly buzzing: boolean;
  /** A passage without a grant or a forced door: buzzer and red light for `alarmBuzzMs`. */
  readonly alarm: boolean;
  /** Just after a granted passage relocked the lane (see GateSettings.tailgateWindowMs). */
  readonly tailgateWindow: boolean;
  /** What the last rider is shown until the feedback timer ends; null = the state's own text. */
  readonly feedback: Feedback | null;
}

export const INITIAL_GATE_STATE: GateState = {
  emergency: false,
  outOfService: false,
  grants: [],
  pulsing: false,
  buzzing: false,
  alarm: false,
  tailgateWindow: false,
  feedback: null,
};

export function gateStateName(state: GateState): GateStateName {
  if (state.emergency) return 'emergency';
  if (state.grants.length > 0) return 'unlocked';
  return state.outOfService ? 'out-of-service' : 'closed';
}

/** True when a valid tap can open the lane: in service and not in emergency. */
export function canAdmit(state: GateState): boolean {
  return !state.emergency && !state.outOfService;
}

