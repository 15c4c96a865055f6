/**
 * What a validator records for every tap and gate event (architecture.md, "What a
 * tap records"): the unit of the journal, of uplink batches and of the ledger.
 * Everything clearing and disputes need, nothing more.
 */
import type { FareClass, Mode, Product } from '../ticket/claims.ts';

export type Direction = 'entry' | 'exit';

/** Fare zones are small numbers: 0 to 65535 everywhere (records, registrations, tickets). */
export const MAX_ZONE = 65_535;

/** Gate events journalled beside taps (architecture.md, gate behaviour). */
export const GATE_EVENTS = [
  'emergency-on',
  'emergency-off',
  'forced-passage',
  'out-of-service',
  'in-service',
  'tailgating',
] as const;
export type GateEvent = (typeof GATE_EVENTS)[number];

interface RecordBase {
  /** Device id of the validator. */
  device: string;
  /** Per-device sequence number: strictly increasing, never reused. */
  seq: number;
  /** Gate time, Unix milliseconds. */
  at: number;
  /** Whether the gate could vouch for its clock when it recorded this. */
  clockTrusted: boolean;
  station: string;
  zone: number;
  mode: Mode;
  direction: Direction;
}

/** A ticket shown at the gate, accepted or rejected. */
export interface TapRecord extends RecordBase {
  kind: 'tap';
  decision: 'accept' | 'reject';
  reason: string;
  /** Full ticket id in hex; absent when the code could not be read at all. */
  ticketId?: string;
  product?: Product;
  fareClass?: FareClass;
  kid?: string;
  level?: 1 | 2;
}

/** Whether the rider of an accepted tap went through (or the gate timed out). */
export interface PassageRecord extends RecordBase {
  kind: 'passage';
  tapSeq: number;
  outcome: 'passed' | 'not-used';
}

export interface GateEventRecord extends RecordBase {
  kind: 'event';
  event: GateEvent;
  detail?: string;
}

/** Why sequence numbers were lost (docs/protocol.md, "Declared losses"). */
export const LOSS_REASONS = [
  /** The process died with records decided but not yet durable (kill -9, power cut). */
  'crash',
  /** The journal's disk failed and the process stopped with records still unwritten. */
  'journal_failed',
  /** The journal started on empty storage (new, wiped or replaced card): what an earlier
   *  journal of this device held and the ledger lacks is gone. */
  'state_lost',
] as const;
export type LossReason = (typeof LOSS_REASONS)[number];

/**
 * The gate's declaration that seqs from..to (inclusive, all below this record's own seq)
 * may have been decided but will never be delivered. The ledger counts them as accounted
 * for (the ack watermark moves over them) and shows them apart from open gaps.
 */
export interface LossRecord extends RecordBase {
  kind: 'loss';
  from: number;
  to: number;
  reason: LossReason;
}

export type JournalRecord = TapRecord | PassageRecord | GateEventRecord | LossRecord;
export const RECORD_KINDS = ['tap', 'passage', 'event', 'loss'] as const satisfies readonly JournalRecord['kind'][];
