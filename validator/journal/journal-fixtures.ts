/**
 * Test fixtures shared by the journal's tests and its kill -9 load child: a temp
 * directory per test and a realistic tap record.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewJournalRecord } from './record-codec.ts';

export async function makeTempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'faregate-journal-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A tap as the gate records it; `ticketId` lets a test recognise the record later. */
export function tapRecord(ticketId: string, overrides: Partial<NewJournalRecord> = {}): NewJournalRecord {
  return {
    kind: 'tap',
    device: 'gate-0042',
    at: 1_767_225_600_000,
    clockTrusted: true,
    station: 'central',
    zone: 1,
    mode: 'metro',
    direction: 'entry',
    decision: 'accept',
    reason: 'ok',
    ticketId,
    product: 'single',
    fareClass: 'adult',
    kid: 'issuer-2026',
    level: 1,
    ...overrides,
  } as NewJournalRecord;
}

/**
 * A wall clock at the Unix epoch: a journal on fresh storage then starts at seq 1 and
 * declares nothing lost (seq-space.ts), which keeps these tests' seqs small and readable.
 */
export const NO_PAST_SEQS = (): number => 0;
