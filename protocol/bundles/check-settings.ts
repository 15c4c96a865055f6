/** The fare-configuration settings the ticket check obeys (ticket-format.md defaults). */
export type UnanchoredClockPolicy = 'accept-flagged' | 'reject';

export interface CheckSettings {
  /** Clock skew allowed on every time window, seconds. */
  skewSeconds: number;
  /** How long a level-2 code stays valid after it was made, seconds (at most 60). */
  codeWindowSeconds: number;
  /** Time in which a non-single ticket may not enter again at the same station, seconds. */
  passbackSeconds: number;
  /** How long after `exp` an exit gate still lets a rider out, seconds. */
  exitGraceSeconds: number;
  /** What to do when the validator cannot vouch for its clock. */
  unanchoredClock: UnanchoredClockPolicy;
}

export const DEFAULT_CHECK_SETTINGS = {
  skewSeconds: 5,
  codeWindowSeconds: 30,
  passbackSeconds: 600,
  exitGraceSeconds: 7200,
  unanchoredClock: 'accept-flagged',
} as const satisfies CheckSettings;

export const MAX_CODE_WINDOW_SECONDS = 60;
