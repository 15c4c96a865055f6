/**
 * What both ledger implementations do around the SQL of a group commit:
 * validate every batch before the transaction (so a bad batch writes nothing and
 * the error names the field), work out which devices the group touches, and turn
 * per-batch counts and final watermarks into results.
 */
import { RECORD_KINDS, type JournalRecord } from '../../protocol/uplink/tap-record.ts';
import type { DeviceBatch, IngestResult } from './ledger.ts';

/** Bad input to the ledger; `field` is the path of the offending value. */
export class LedgerInputError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'LedgerInputError';
  }
}

const KINDS: ReadonlySet<string> = new Set<string>(RECORD_KINDS);

/**
 * Checks what the ledger's invariants rest on — not the whole message schema,
 * which the uplink validates on receipt.
 */
export function validateBatch(device: string, records: readonly JournalRecord[], prefix = ''): void {
  if (typeof device !== 'string' || device.length === 0) {
    throw new LedgerInputError(`${prefix}device`, 'must be a non-empty string');
  }
  if (!Array.isArray(records)) throw new LedgerInputError(`${prefix}records`, 'must be an array');
  records.forEach((record, i) => {
    const at = `${prefix}records[${i}]`;
    if (typeof record !== 'object' || record === null) throw new LedgerInputError(at, 'must be an object');
    if (record.device !== device) {
      throw new LedgerInputError(`${at}.device`, `must be the batch's device ${JSON.stringify(device)}, got ${JSON.stringify(record.device)}`);
    }
    if (!Number.isSafeInteger(record.seq) || record.seq < 1) {
      throw new LedgerInputError(`${at}.seq`, 'must be an integer from 1');
    }
    if (!KINDS.has(record.kind)) throw new LedgerInputError(`${at}.kind`, `must be one of ${RECORD_KINDS.join(', ')}`);
    if (record.kind === 'loss' && !(Number.isSafeInteger(record.from) && Number.isSafeInteger(record.to) && record.from >= 1 && record.from <= record.to && record.to < record.seq)) {
      throw new LedgerInputError(`${at}.from`, 'a loss must declare 1 <= from <= to < its own seq');
    }
    if (!Number.isSafeInteger(record.at)) throw new LedgerInputError(`${at}.at`, 'must be an integer time in ms');
    if (typeof record.station !== 'string') throw new LedgerInputError(`${at}.station`, 'must be a string');
    if (record.kind === 'tap' && record.ticketId !== undefined && typeof record.ticketId !== 'string') {
      throw new LedgerInputError(`${at}.ticketId`, 'must be a string when present');
    }
  });
}

export interface GroupPlan {
  /** Devices of the group, sorted, each once: locks are taken in this order. */
  devices: string[];
  /** Highest seq per device in the group. */
  maxSeq: Map<string, number>;
  /** Records of the whole group, in batch order. */
  records: JournalRecord[];
}

/** Validates every batch (errors name `batches[i]...`) and summarises the group. */
export function planGroup(batches: readonly DeviceBatch[], singleBatch = false): GroupPlan {
  if (!Array.isArray(batches)) throw new LedgerInputError('batches', 'must be an array');
  const maxSeq = new Map<string, number>();
  const records: JournalRecord[] = [];
  batches.forEach((batch, i) => {
    validateBatch(batch.device, batch.records, singleBatch ? '' : `batches[${i}].`);
    let max = maxSeq.get(batch.device) ?? 0;
    for (const record of batch.records) {
      if (record.seq > max) max = record.seq;
      records.push(record);
    }
    maxSeq.set(batch.device, max);
  });
  return { devices: [...maxSeq.keys()].sort(), maxSeq, records };
}

/** Results in batch order from per-batch insert counts and the final watermarks. */
export function groupResults(
  batches: readonly DeviceBatch[],
  insertedPerBatch: readonly number[],
  watermarks: ReadonlyMap<string, number>,
  conflictsPerBatch: readonly number[][] = [],
): IngestResult[] {
  return batches.map((batch, i) => {
    const inserted = insertedPerBatch[i] ?? 0;
    const conflicts = conflictsPerBatch[i] ?? [];
    return {
      inserted,
      duplicates: batch.records.length - inserted - conflicts.length,
      conflicts,
      highestContiguous: watermarks.get(batch.device) ?? 0,
    };
  });
}

/** Conflicting records by their index in the group's records (plan.records), per batch. */
export function conflictsPerBatch(batches: readonly DeviceBatch[], conflictIndexes: ReadonlySet<number>): number[][] {
  let offset = 0;
  return batches.map((batch) => {
    const seqs = batch.records.filter((_, i) => conflictIndexes.has(offset + i)).map((record) => record.seq);
    offset += batch.records.length;
    return seqs;
  });
}

/** The key a (device, seq) pair goes by in sets: unambiguous, as seq's digits end at the first ':'. */
export function recordKey(device: string, seq: number): string {
  return `${seq}:${device}`;
}

/**
 * For stores that report which (device, seq) keys an INSERT created: credits
 * each new key to the first batch holding it, the rest count as duplicates.
 */
export function insertedPerBatch(batches: readonly DeviceBatch[], insertedKeys: Set<string>): number[] {
  return batches.map((batch) => {
    let inserted = 0;
    for (const record of batch.records) {
      if (insertedKeys.delete(recordKey(batch.device, record.seq))) inserted++;
    }
    return inserted;
  });
}
