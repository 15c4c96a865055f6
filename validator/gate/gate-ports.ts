/**
 * The ports the gate controller needs, kept minimal so adapters are trivial: the hardware
 * folder's OutputLine, Display and Timers fit them as they are (structural typing).
 */
import type { Logger } from 'pino';
import type { GateSettings } from './gate-settings.ts';
import type { GateJournalEntry } from './gate-state.ts';

/** A digital output with a logical level. May be sync or async; writes to one line are kept in order. */
export interface GateOutput {
  set(on: boolean): void | Promise<void>;
}

export interface GateOutputs {
  /**
   * The lane's lock: on = unlocked. The line maps that to the relay level for the wiring
   * (power-to-lock inverts it) and the board (active-low), so the gate logic never knows.
   */
  readonly relay: GateOutput;
  readonly greenLight: GateOutput;
  readonly redLight: GateOutput;
  readonly buzzer: GateOutput;
}

export interface GateDisplay {
  /** Must return at once (queue the write): a slow display must never delay the gate. */
  show(line1: string, line2: string): void;
}

/** Receives every gate event and passage outcome; the journal adds device, seq, time and place. */
export type GateJournal = (entry: GateJournalEntry) => void | Promise<void>;

/** Injected timers (handles are opaque); defaults to the globals, looked up at call time. */
export interface GateTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface GateDecision {
  decision: 'accept' | 'reject';
  /** A reject reason of ticket-format.md ('ok' for an accept). */
  reason: string;
}

export interface GateControllerOptions {
  readonly outputs: GateOutputs;
  readonly display: GateDisplay;
  readonly journal: GateJournal;
  /** Overrides of DEFAULT_GATE_SETTINGS; checked when the controller is built. */
  readonly settings?: Partial<GateSettings>;
  readonly timers?: GateTimers;
  /** Defaults to a pino logger on stdout; a child `{ module: 'gate' }` is taken from it. */
  readonly logger?: Logger;
}

