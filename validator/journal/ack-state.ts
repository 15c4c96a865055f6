/**
 * The journal's one small state file: the acknowledged sequence number (records up to
 * it are in the gateway's ledger). Replaced crash-safely — temp file, fdatasync,
 * rename, fsync of the directory (hardware.md, SD-card wear) — so a power cut leaves
 * either the old or the new ack point, never a torn file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomicAsync } from '../../runtime/atomic-file.ts';

export const STATE_FILE = 'journal-state.json';

interface StateFileV1 {
  version: 1;
  ackedSeq: number;
}

/** The persisted ack point; 0 when none was ever written. */
export async function readAckedSeq(dir: string, logger: Logger): Promise<number> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const state = parse(text);
  if (state === undefined) {
    // Only disk damage gets here (writes are atomic). Starting from 0 re-sends records
    // the gateway already has, which its unique (device, seq) key turns into no-ops.
    logger.error({ file: STATE_FILE }, 'journal state file unreadable; re-sending from the oldest record');
    return 0;
  }
  return state.ackedSeq;
}

export async function writeAckedSeq(dir: string, ackedSeq: number): Promise<void> {
  const state: StateFileV1 = { version: 1, ackedSeq };
  await writeFileAtomicAsync(join(dir, STATE_FILE), `${JSON.stringify(state)}\n`);
}

function parse(text: string): StateFileV1 | undefined {
  try {
    const value: unknown = JSON.parse(text);
    const state = value as Partial<StateFileV1> | null;
    if (state?.version === 1 && Number.isSafeInteger(state.ackedSeq) && (state.ackedSeq ?? -1) >= 0) {
      return state as StateFileV1;
    }
  } catch {
    // fall through: unreadable
  }
  return undefined;
}
