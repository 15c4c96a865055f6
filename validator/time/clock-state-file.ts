/**
 * What the trusted clock keeps on disk across restarts (clock.json in the state directory),
 * written atomically. A file from before the clock reset command holds only `highWaterMs`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../runtime/atomic-file.ts';

export interface SavedClockState {
  /** The highest trusted time seen, Unix ms: the clock never reads behind it. */
  highWaterMs: number;
  /** The time of the last beacon taken, Unix ms: a beacon not newer is a replay. */
  lastBeaconMs: number;
  /** The version of the last clock reset command applied: each applies once. */
  resetVersion: number;
}

export const EMPTY_CLOCK_STATE: SavedClockState = { highWaterMs: 0, lastBeaconMs: 0, resetVersion: 0 };

/** The saved state, or the empty one when there is no file; throws a clear error on a damaged file. */
export function readClockState(path: string): SavedClockState {
  if (!existsSync(path)) return EMPTY_CLOCK_STATE;
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`clock state ${path} is not readable JSON (${(error as Error).message}); move it away to start without a high-water mark`);
  }
  const state = { ...EMPTY_CLOCK_STATE };
  for (const field of ['highWaterMs', 'lastBeaconMs', 'resetVersion'] as const) {
    const value: unknown = (saved as Record<string, unknown> | null)?.[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`clock state ${path}: ${field} must be a non-negative number`);
    }
    state[field] = value;
  }
  return state;
}

export function writeClockState(path: string, state: SavedClockState): void {
  writeFileAtomic(path, JSON.stringify(state));
}
