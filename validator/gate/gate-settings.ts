/**
 * Gate timings and the fail-safe choice, with their defaults (hardware.md, "Turnstile
 * behaviour"). Validated once when the controller is built, every error listed as
 * `path: message`, so a bad config fails at start and never halfway through a passage.
 */

/**
 * Where the lane's lock is left when the software is not driving it (`stop()`).
 * - `'unlocked'` (default): free passage. hardware.md requires fail-safe, power-to-lock wiring
 *   where the fire code requires free exit, so the lane opens when the Pi loses power; a graceful
 *   stop then looks exactly like a power cut, and nobody is trapped while the service restarts.
 * - `'locked'`: for lanes wired power-to-unlock (fail-secure) whose free exit is provided
 *   elsewhere; a stop then keeps the lane shut, again matching a power cut.
 * Whatever the choice, an active emergency input keeps the lane unlocked on stop.
 */
export type FailSafe = 'locked' | 'unlocked';

export interface GateSettings {
  /**
   * `'pulse'`: the relay gives the lane controller one unlock pulse of `relayPulseMs` and the
   * lane latches itself until the passage (turnstiles in pulse mode, PERCo style).
   * `'hold'`: the relay stays energised until the passage or the timeout (a plain electric lock),
   * and still for at least `relayPulseMs`.
   */
  relayMode: 'pulse' | 'hold';
  /** Unlock pulse length; turnstile controllers need at least 100 ms to see it. */
  relayPulseMs: number;
  /**
   * How long an accepted rider has to pass before the tap is marked not used. Every grant has
   * its own timeout, counted from its own accept: later taps never extend it.
   */
  passageTimeoutMs: number;
  /** How long a reject reason (or an emergency 'Go') stays on the display and lights. */
  feedbackMs: number;
  rejectBuzzMs: number;
  /** Buzzer length for a forced passage or tailgating. */
  alarmBuzzMs: number;
  /**
   * After a granted passage relocks the lane, a further passage within this window is a rider
   * slipping through behind the first (tailgating); later, it is a forced passage.
   */
  tailgateWindowMs: number;
  failSafe: FailSafe;
}

export const MIN_RELAY_PULSE_MS = 100;

export const DEFAULT_GATE_SETTINGS = {
  relayMode: 'pulse',
  relayPulseMs: 200,
  passageTimeoutMs: 5000,
  feedbackMs: 2500,
  rejectBuzzMs: 200,
  alarmBuzzMs: 2000,
  tailgateWindowMs: 1500,
  failSafe: 'unlocked',
} as const satisfies GateSettings;

export class GateSettingsError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(`invalid gate settings:\n  ${errors.join('\n  ')}`);
    this.name = 'GateSettingsError';
  }
}

const DURATIONS = [
  'relayPulseMs',
  'passageTimeoutMs',
  'feedbackMs',
  'rejectBuzzMs',
  'alarmBuzzMs',
  'tailgateWindowMs',
] as const;

/** Defaults overlaid with `overrides`, checked; throws GateSettingsError listing every problem. */
export function resolveGateSettings(overrides: Partial<GateSettings> = {}): GateSettings {
  const settings: GateSettings = { ...DEFAULT_GATE_SETTINGS, ...overrides };
  const errors: string[] = [];
  for (const key of DURATIONS) {
    const value = settings[key];
    if (!Number.isInteger(value) || value <= 0) errors.push(`${key}: must be a positive integer of milliseconds`);
  }
  if (settings.relayPulseMs < MIN_RELAY_PULSE_MS) {
    errors.push(`relayPulseMs: must be at least ${MIN_RELAY_PULSE_MS} (lane controllers miss shorter pulses)`);
  }
  if (settings.passageTimeoutMs <= settings.relayPulseMs) {
    errors.push('passageTimeoutMs: must be longer than relayPulseMs');
  }
  if (settings.relayMode !== 'pulse' && settings.relayMode !== 'hold') {
    errors.push(`relayMode: must be 'pulse' or 'hold'`);
  }
  if (settings.failSafe !== 'locked' && settings.failSafe !== 'unlocked') {
    errors.push(`failSafe: must be 'locked' or 'unlocked'`);
  }
  if (errors.length > 0) throw new GateSettingsError(errors);
  return settings;
}
