/**
 * The journal's ack point: the acknowledged sequence number (records up to it are in
 * the gateway's ledger), in its own small state file replaced crash-safely.
 */
import type { Logger } from 'pino';
import { readIfPresent, writeDurably } from './durable-file.ts';
import type { JournalFs } from './journal-fs.ts';

export const STATE_FILE = 'journal-state.json';

interface StateFileV1 {
  version: 1;
  ackedSeq: number;
}

/** The persisted ack point; undefined when none was ever written. */
export async function readAckedSeq(fs: JournalFs, dir: string, logger: Logger): Promise<number | undefined> {
  const text = await readIfPresent(fs, dir, STATE_FILE);
  if (text === undefined) return undefined;
  const state = parse(text);
  if (state === undefined) {
    // Only disk damage gets here (writes are atomic). Starting from 0 re-sends records
    // the gateway already has, which its unique (device, seq) key turns into no-ops.
    logger.error({ file: STATE_FILE }, 'journal state file unreadable; re-sending from the oldest record');
    return 0;
  }
  return state.ackedSeq;
}

export async function writeAckedSeq(fs: JournalFs, dir: string, ackedSeq: number): Promise<void> {
  const state: StateFileV1 = { version: 1, ackedSeq };
  await writeDurably(fs, dir, STATE_FILE, `${JSON.stringify(state)}\n`);
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
