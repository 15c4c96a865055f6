/**
 * Anti-passback memory after a restart: the accepted entries still in the journal
 * (acknowledged segments are kept for the remembering window) are read back, oldest
 * first, and merged, so a single ticket used just before a restart stays used.
 */
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import type { PassbackState } from '../check/passback-state.ts';

export interface RetainedJournal {
  readRetained(fromSeq: number, maxRecords: number): Promise<JournalRecord[]>;
}

const CHUNK_RECORDS = 2000;

/** How far back accepted entries matter: the single-use memory, or the passback time if longer. */
export function passbackMemorySeconds(config: { passback: { rememberSingleHours: number }; fares: { passbackSeconds: number } }): number {
  return Math.max(config.passback.rememberSingleHours * 3600, config.fares.passbackSeconds);
}

/** Merges every accepted entry at or after `sinceSeconds`; returns how many. */
export async function rebuildPassback(journal: RetainedJournal, state: PassbackState, sinceSeconds: number): Promise<number> {
  let merged = 0;
  let fromSeq = 1;
  for (;;) {
    const records = await journal.readRetained(fromSeq, CHUNK_RECORDS);
    const last = records.at(-1);
    if (!last) return merged;
    for (const record of records) {
      if (record.kind !== 'tap' || record.decision !== 'accept' || record.direction !== 'entry' || record.ticketId === undefined) continue;
      const enteredAt = Math.floor(record.at / 1000);
      if (enteredAt < sinceSeconds) continue;
      state.merge({ key: state.key(record.ticketId), station: record.station, enteredAt, single: record.product === 'single' });
      merged++;
    }
    fromSeq = last.seq + 1;
  }
}
