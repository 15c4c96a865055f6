/**
 * What ingest checks beyond the schema, against what the ledger knows: the records
 * come from where the device is registered, seqs do not leap ahead without a declared
 * loss (an undeclared leap would open a gap that never closes), and a passage names an
 * accepted tap of the same device. A problem refuses the whole batch with its reason:
 * nothing of it is stored, and the device learns why from the negative ack.
 */
import type { TapBatch } from '../../protocol/mqtt/messages.ts';
import type { JournalRecord, PassageRecord } from '../../protocol/uplink/tap-record.ts';
import type { Device, Ledger } from '../ledger/ledger.ts';

export interface BatchRules {
  /** The most seqs a batch may skip past the highest seq held for its device without declaring them lost. */
  maxSeqJump: number;
}

export const DEFAULT_BATCH_RULES = { maxSeqJump: 100_000 } as const satisfies BatchRules;

type Place = Pick<JournalRecord, 'station' | 'zone' | 'mode' | 'direction'>;
const PLACE_FIELDS = ['station', 'zone', 'mode', 'direction'] as const;

/** Why the batch is refused, or undefined when it may be stored. */
export async function batchProblem(batch: TapBatch, ledger: Ledger, rules: BatchRules): Promise<string | undefined> {
  const device = await ledger.getDevice(batch.device);
  if (!device) return `device ${batch.device} is not registered`;
  return placeProblem(batch, device) ?? (await seqJumpProblem(batch, ledger, rules)) ?? (await passageProblem(batch, ledger));
}

function placeProblem(batch: TapBatch, device: Device): string | undefined {
  const registered: Place = device;
  for (const [index, record] of batch.records.entries()) {
    for (const field of PLACE_FIELDS) {
      if (record[field] !== registered[field]) {
        return `/records/${index}/${field} ${JSON.stringify(record[field])} is not the device's registered ${field} ${JSON.stringify(registered[field])}`;
      }
    }
  }
  return undefined;
}

/** A leap past the highest seq held is refused unless a loss record of the batch covers the skipped seqs. */
async function seqJumpProblem(batch: TapBatch, ledger: Ledger, rules: BatchRules): Promise<string | undefined> {
  const { highestSeq } = await ledger.deviceProgress(batch.device);
  const skipped = batch.firstSeq - (highestSeq + 1);
  if (skipped <= rules.maxSeqJump) return undefined;
  const declared = batch.records.some((record) => record.kind === 'loss' && record.from <= highestSeq + 1 && record.to >= batch.firstSeq - 1);
  if (declared) return undefined;
  return `firstSeq ${batch.firstSeq} skips ${skipped} seqs past the highest held (${highestSeq}); at most ${rules.maxSeqJump} may be skipped without a loss record declaring them`;
}

async function passageProblem(batch: TapBatch, ledger: Ledger): Promise<string | undefined> {
  for (const [index, record] of batch.records.entries()) {
    if (record.kind !== 'passage') continue;
    const problem = await tapOfPassageProblem(batch, record, ledger);
    if (problem) return `/records/${index}/tapSeq ${record.tapSeq} ${problem}`;
  }
  return undefined;
}

/**
 * The tap must come before the passage and, where it is known (in the batch or stored),
 * be an accepted tap. A tap not held (still in flight, or declared lost) cannot be checked.
 */
async function tapOfPassageProblem(batch: TapBatch, passage: PassageRecord, ledger: Ledger): Promise<string | undefined> {
  if (passage.tapSeq >= passage.seq) return 'is not before the passage';
  const tap =
    passage.tapSeq >= batch.firstSeq
      ? batch.records[passage.tapSeq - batch.firstSeq]
      : (await ledger.taps({ device: batch.device, afterSeq: passage.tapSeq - 1, limit: 1 })).records.find((record) => record.seq === passage.tapSeq);
  if (!tap) return undefined;
  if (tap.kind !== 'tap') return `is a ${tap.kind} record, not a tap`;
  if (tap.decision !== 'accept') return 'is a rejected tap';
  return undefined;
}
