/**
 * Data the services keep (ledger, journals, state, keys, tokens) is the owner's
 * alone: files 0600, directories 0700. Ticket ids, device passwords and taps are
 * in there, so "anyone on the box may read it" is not a safe default.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates a directory (and missing parents) as 0700; an existing one is left as the operator set it. */
export function makePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Creates the file empty as 0600 when missing, and narrows it (and its `extras`,
 * e.g. SQLite's -wal and -shm) to 0600 when an older version made them wider.
 */
export function makePrivateFile(path: string, extras: readonly string[] = []): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  for (const file of [path, ...extras]) if (existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
}
