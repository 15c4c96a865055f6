import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage, MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MessageError, parseDeviceState, parseTapBatch } from './messages.ts';
import type { GateEventRecord, JournalRecord } from '../uplink/tap-record.ts';

const ID64 = `g${'x'.repeat(63)}`;

function tap(seq: number): JournalRecord {
  return {
    kind: 'tap', device: 'gate-1', seq, at: 1_767_225_600_000 + seq, clockTrusted: true, station: 'central', zone: 1, mode: 'metro',
    direction: 'entry', decision: 'accept', reason: 'ok', ticketId: '00112233445566778899aabb', product: 'single', fareClass: 'adult', kid: '0011223344556677', level: 1,
  };
}

const batchOf = (records: JournalRecord[]) => ({ v: 1 as const, device: records[0]!.device, firstSeq: records[0]!.seq, lastSeq: records.at(-1)!.seq, records });
const refused = (payload: string | Buffer, pattern: RegExp) => assert.throws(() => parseTapBatch(payload), (error: Error) => error instanceof MessageError && pattern.test(error.message));

describe('tap batch limits', () => {
  it('fits a full batch of the largest records the schema allows under the payload cap', () => {
    // The largest record: an event whose detail is 256 characters that each need a 6-byte JSON escape.
    const largest = (seq: number): GateEventRecord => ({
      kind: 'event', device: ID64, seq: Number.MAX_SAFE_INTEGER - MAX_BATCH_RECORDS + seq, at: Number.MAX_SAFE_INTEGER, clockTrusted: false,
      station: ID64, zone: 65_535, mode: 'metro', direction: 'entry', event: 'emergency-off', detail: '\u0001'.repeat(256),
    });
    const payload = encodeMessage(batchOf(Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => largest(i + 1))));
    assert.ok(payload.length <= MAX_BATCH_BYTES, `${payload.length} bytes`);
    assert.equal(parseTapBatch(payload).records.length, MAX_BATCH_RECORDS);
  });

  it('refuses a record with a field the protocol does not have', () => {
    refused(encodeMessage(batchOf([{ ...tap(1), padding: 'x'.repeat(50_000) } as unknown as JournalRecord])), /must NOT have additional properties/);
  });

  it('refuses deep nesting before parsing it, however long', () => {
    const started = performance.now();
    refused(Buffer.from('['.repeat(MAX_BATCH_BYTES - 1)), /nested deeper than 4/);
    refused(Buffer.from(`{"v":1,"records":[{"detail":${'['.repeat(10)}]}`), /nested deeper/);
    assert.ok(performance.now() - started < 5_000);
  });

  it('refuses a payload over the byte cap without parsing it', () => {
    refused(Buffer.alloc(MAX_BATCH_BYTES + 1, 0x20), /over the limit of 2097152/);
  });

  it('counts brackets inside strings as text', () => {
    const record = { ...tap(1), kind: 'event', event: 'tailgating', detail: '[[[[[[[[{{{{{{' } as unknown as JournalRecord;
    const { decision: _d, reason: _r, ticketId: _t, product: _p, fareClass: _f, kid: _k, level: _l, ...event } = record as JournalRecord & Record<string, unknown>;
    assert.equal(parseTapBatch(encodeMessage(batchOf([event as JournalRecord]))).records.length, 1);
  });

  it('refuses seqs and zones beyond the bounds', () => {
    refused(encodeMessage(batchOf([{ ...tap(1), zone: 1e300 }])), /zone must be <= 65535/);
    refused(encodeMessage(batchOf([tap(2 ** 53)])), /seq must be <= 9007199254740991/);
  });

  it('refuses a device state with unknown fields', () => {
    assert.throws(() => parseDeviceState(JSON.stringify({ v: 1, device: 'gate-1', online: true, at: 1, extra: 'x' })), /additional properties/);
  });
});
