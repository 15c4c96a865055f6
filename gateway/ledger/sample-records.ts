/**
 * Journal records for the ledger's tests, its kill -9 child and its benchmark:
 * realistic in shape (every field a validator fills), deterministic in content.
 */
import type { GateEventRecord, JournalRecord, LossRecord, PassageRecord, TapRecord } from '../../protocol/uplink/tap-record.ts';
import type { Device } from './ledger.ts';

/** 2026-01-01T00:00:00Z: gate times count from here, one second per seq. */
export const EPOCH_MS = 1_767_225_600_000;

export function sampleTap(device: string, seq: number, overrides: Partial<TapRecord> = {}): TapRecord {
  const rejected = seq % 10 === 0;
  return {
    kind: 'tap',
    device,
    seq,
    at: EPOCH_MS + seq * 1000,
    clockTrusted: true,
    station: 'central',
    zone: 1,
    mode: 'metro',
    direction: 'entry',
    decision: rejected ? 'reject' : 'accept',
    reason: rejected ? 'expired' : 'ok',
    ticketId: `0123456789abcdef${(seq % 4096).toString(16).padStart(8, '0')}`,
    product: 'single',
    fareClass: 'adult',
    kid: '0a1b2c3d4e5f6071',
    level: 1,
    ...overrides,
  };
}

export function samplePassage(device: string, seq: number, tapSeq: number): PassageRecord {
  return {
    kind: 'passage',
    device,
    seq,
    at: EPOCH_MS + seq * 1000,
    clockTrusted: true,
    station: 'central',
    zone: 1,
    mode: 'metro',
    direction: 'entry',
    tapSeq,
    outcome: 'passed',
  };
}

export function sampleEvent(device: string, seq: number): GateEventRecord {
  return {
    kind: 'event',
    device,
    seq,
    at: EPOCH_MS + seq * 1000,
    clockTrusted: false,
    station: 'central',
    zone: 1,
    mode: 'metro',
    direction: 'exit',
    event: 'forced-passage',
  };
}

/** Taps `from..to` (inclusive) of one device. */
export function sampleTaps(device: string, from: number, to: number): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (let seq = from; seq <= to; seq++) records.push(sampleTap(device, seq));
  return records;
}

/** A gate's declaration that seqs from..to will never come. */
export function sampleLoss(device: string, seq: number, from: number, to: number, reason: LossRecord['reason'] = 'crash'): LossRecord {
  return { kind: 'loss', device, seq, at: EPOCH_MS + (seq % 1_000_000) * 1000, clockTrusted: true, station: 'central', zone: 1, mode: 'metro', direction: 'entry', from, to, reason };
}

/** A registered gate at the place the sample records come from (ingest checks records against it). */
export function sampleDevice(id: string): Device {
  return {
    id, station: 'central', zone: 1, mode: 'metro', direction: 'entry', credentialHash: '00', createdAt: EPOCH_MS,
    state: { online: false, lastSeen: null, bundleVersions: {}, backlog: 0, clockAnchored: false },
  };
}
