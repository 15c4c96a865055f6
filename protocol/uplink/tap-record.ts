/**
 * What a validator records for every tap and gate event (architecture.md, "What a
 * tap records"): the unit of the journal, of uplink batches and of the ledger.
 * Everything clearing and disputes need, nothing more.
 */
import type { FareClass, Mode, Product } from '../ticket/claims.ts';

export type Direction = 'entry' | 'exit';

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

export type JournalRecord = TapRecord | PassageRecord | GateEventRecord;
