import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import sinon from 'sinon';
import { encodeMessage, parseBatchAck, type BatchAck } from '../../protocol/mqtt/messages.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { sampleDevice, sampleLoss, sampleTap, sampleTaps } from '../ledger/sample-records.ts';
import { createGatewayMetrics } from '../metrics/gateway-metrics.ts';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { TapIngest } from './tap-ingest.ts';
import { waitUntil } from '../../runtime/testing/wait.ts';

const batch = (device: string, from: number, to: number) =>
  encodeMessage({ v: 1, device, firstSeq: from, lastSeq: to, records: sampleTaps(device, from, to) });

describe('tap ingest', () => {
  let ledger: SqliteLedger;
  let acks: Array<{ topic: string; ack: BatchAck }>;
  let ingest: TapIngest;
  let metrics: ReturnType<typeof createGatewayMetrics>;

  beforeEach(async () => {
    ledger = new SqliteLedger({ path: join(mkdtempSync(join(tmpdir(), 'faregate-ingest-')), 'ledger.sqlite') });
    await ledger.start();
    acks = [];
    metrics = createGatewayMetrics();
    const publisher = { publish: async (topic: string, payload: Buffer) => void acks.push({ topic, ack: parseBatchAck(payload) }) };
    ingest = new TapIngest(ledger, publisher, metrics, pino({ level: 'silent' }), () => undefined, { maxSeqJump: 1000 });
    // Where sampleTaps records come from.
    for (const id of ['gate-1', 'gate-2', 'gate-bad']) await ledger.upsertDevice(sampleDevice(id));
  });

  const rejections = () => acks.filter((a) => a.ack.status === 'rejected').map((a) => a.ack.reason ?? '');

  it('refuses a batch from a device that is not registered', async () => {
    ingest.onMessage(topics.taps('gate-x'), batch('gate-x', 1, 3));
    await ingest.drain();
    assert.deepEqual(rejections(), ['tap batch: device gate-x is not registered']);
    assert.equal((await ledger.deviceProgress('gate-x')).highestSeq, 0);
  });

  it('refuses records from another station, zone, mode or direction than the device is registered at, naming the field', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [['station', { station: 'north' }], ['zone', { zone: 2 }], ['mode', { mode: 'bus' }], ['direction', { direction: 'exit' }]];
    for (const [, change] of cases) {
      const records = [sampleTap('gate-1', 1), sampleTap('gate-1', 2, change)];
      ingest.onMessage(topics.taps('gate-1'), encodeMessage({ v: 1, device: 'gate-1', firstSeq: 1, lastSeq: 2, records }));
    }
    await ingest.drain();
    const reasons = rejections();
    assert.equal(reasons.length, 4);
    cases.forEach(([field], index) => assert.match(reasons[index]!, new RegExp(`/records/1/${field} .* is not the device's registered ${field}`)));
    assert.equal((await ledger.deviceProgress('gate-1')).highestSeq, 0, 'nothing of a refused batch is stored');
  });

  it('refuses an undeclared seq jump beyond the bound, and takes one a loss record declares', async () => {
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 1, 5));
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 5 + 1002, 5 + 1003));
    await ingest.drain();
    assert.match(rejections()[0]!, /firstSeq 1007 skips 1001 seqs past the highest held \(5\); at most 1000/);
    const far = 2 ** 40;
    const declared = [sampleLoss('gate-1', far, 6, far - 1, 'state_lost'), ...sampleTaps('gate-1', far + 1, far + 2)];
    ingest.onMessage(topics.taps('gate-1'), encodeMessage({ v: 1, device: 'gate-1', firstSeq: far, lastSeq: far + 2, records: declared }));
    await ingest.drain();
    assert.deepEqual(acks.at(-1)?.ack, { v: 1, device: 'gate-1', status: 'ok', ackedThrough: far + 2 });
  });

  it('refuses a passage whose tapSeq is not an earlier accepted tap of the device', async () => {
    const passage = (seq: number, tapSeq: number) => ({ ...sampleTap('gate-1', seq), kind: 'passage' as const, tapSeq, outcome: 'passed' as const });
    const strip = (record: ReturnType<typeof passage>) => {
      const { decision: _d, reason: _r, ticketId: _t, product: _p, fareClass: _f, kid: _k, level: _l, ...rest } = record as Record<string, unknown>;
      return rest as unknown as JournalRecord;
    };
    const send = (records: JournalRecord[]) => ingest.onMessage(topics.taps('gate-1'), encodeMessage({ v: 1, device: 'gate-1', firstSeq: records[0]!.seq, lastSeq: records.at(-1)!.seq, records }));
    send([sampleTap('gate-1', 1), sampleTap('gate-1', 2, { decision: 'reject', reason: 'expired' }), strip(passage(3, 3))]);
    send([sampleTap('gate-1', 1), sampleTap('gate-1', 2, { decision: 'reject', reason: 'expired' }), strip(passage(3, 2))]);
    send([sampleTap('gate-1', 1), sampleTap('gate-1', 2, { decision: 'reject', reason: 'expired' }), strip(passage(3, 1))]);
    await ingest.drain();
    send([strip(passage(4, 2))]); // the rejected tap is now in the ledger, not the batch
    await ingest.drain();
    const reasons = rejections();
    assert.match(reasons[0]!, /\/records\/2\/tapSeq 3 is not before the passage/);
    assert.match(reasons[1]!, /\/records\/2\/tapSeq 2 is a rejected tap/);
    assert.match(reasons[2]!, /\/records\/0\/tapSeq 2 is a rejected tap/);
    assert.equal(reasons.length, 3);
    assert.equal((await ledger.deviceProgress('gate-1')).highestSeq, 3);
  });
  afterEach(() => ledger.stop());

  it('commits a batch, then acks the highest contiguous seq on the device\'s ack topic', async () => {
    const committed = sinon.spy(ledger, 'ingestBatches');
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 1, 10));
    await ingest.drain();
    assert.equal(committed.callCount, 1);
    assert.deepEqual(acks, [{ topic: topics.ack('gate-1'), ack: { v: 1, device: 'gate-1', status: 'ok', ackedThrough: 10 } }]);
    assert.equal((await ledger.deviceProgress('gate-1')).contiguousThrough, 10);
  });

  it('treats a re-sent batch as a no-op and acks it again', async () => {
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 1, 5));
    await ingest.drain();
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 1, 5));
    await ingest.drain();
    assert.equal((await ledger.taps({ device: 'gate-1', limit: 100 })).records.length, 5);
    assert.deepEqual(acks.map((a) => a.ack.ackedThrough), [5, 5]);
  });

  it('refuses records whose seq is stored with other content: seq_conflict in the ack, an alarm metric, both kept', async () => {
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 1, 5));
    await ingest.drain();
    const replaced = [3, 4, 5, 6].map((seq) => sampleTap('gate-1', seq, { ticketId: `00000000000000a${seq}` }));
    ingest.onMessage(topics.taps('gate-1'), encodeMessage({ v: 1, device: 'gate-1', firstSeq: 3, lastSeq: 6, records: replaced }));
    await ingest.drain();
    assert.deepEqual(acks.at(-1)?.ack, { v: 1, device: 'gate-1', status: 'ok', ackedThrough: 6, reason: 'seq_conflict', conflicts: [[3, 5]], highestSeq: 6 });
    assert.equal((await metrics.seqConflicts.get()).values[0]?.value, 3);
    assert.equal((await ledger.conflicts({ limit: 10 })).length, 3);
  });

  it('acks over a declared loss and keeps it out of the missing ranges', async () => {
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 1, 5));
    const records = [sampleLoss('gate-1', 20, 6, 19), ...sampleTaps('gate-1', 21, 22)];
    ingest.onMessage(topics.taps('gate-1'), encodeMessage({ v: 1, device: 'gate-1', firstSeq: 20, lastSeq: 22, records }));
    await ingest.drain();
    assert.deepEqual(acks.at(-1)?.ack, { v: 1, device: 'gate-1', status: 'ok', ackedThrough: 22 });
    assert.equal((await metrics.declaredLosses.get()).values[0]?.value, 1);
  });

  it('names the missing ranges when a batch arrives after a gap', async () => {
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 1, 5));
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 11, 15));
    await ingest.drain();
    const last = acks[acks.length - 1]!.ack;
    assert.equal(last.ackedThrough, 5);
    assert.deepEqual(last.missing, [[6, 10]]);
  });

  it('refuses an invalid batch with a reason and a negative ack, and still commits the next one', async () => {
    ingest.onMessage(topics.taps('gate-1'), Buffer.from('{"v":1,"device":"gate-1"}'));
    ingest.onMessage(topics.taps('gate-1'), batch('gate-2', 1, 3)); // another device's batch on gate-1's topic
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 1, 3));
    await ingest.drain();
    // Negative acks are not part of a commit, so drain() does not wait for them.
    await waitUntil('two negative acks and the commit ack are sent', () => acks.length >= 3, { detail: () => JSON.stringify(acks) });
    // Acks of refused batches and of the commit race each other: compare them as a set.
    const rejected = acks.filter((a) => a.ack.status === 'rejected').map((a) => a.ack.reason!);
    const ok = acks.filter((a) => a.ack.status === 'ok').map((a) => a.ack.ackedThrough);
    assert.equal(rejected.length, 2);
    assert.ok(rejected.some((reason) => /firstSeq|records/.test(reason)), rejected.join(' | '));
    assert.ok(rejected.some((reason) => /published on gate-1's topic/.test(reason)), rejected.join(' | '));
    assert.deepEqual(ok, [3]);
    assert.equal(await metrics.batchesRejected.get().then((m) => m.values[0]!.value), 2);
  });

  it('isolates a batch the ledger refuses inside a group, committing the others', async () => {
    const original = ledger.ingestBatches.bind(ledger);
    sinon.stub(ledger, 'ingestBatches').callsFake(async (batches) => {
      if (batches.some((b) => b.device === 'gate-bad')) throw new Error('disk says no');
      return original(batches);
    });
    ingest.onMessage(topics.taps('gate-1'), batch('gate-1', 1, 2));
    ingest.onMessage(topics.taps('gate-bad'), batch('gate-bad', 1, 2));
    ingest.onMessage(topics.taps('gate-2'), batch('gate-2', 1, 2));
    await ingest.drain();
    const byDevice = Object.fromEntries(acks.map((a) => [a.ack.device, a.ack]));
    assert.equal(byDevice['gate-1']!.ackedThrough, 2);
    assert.equal(byDevice['gate-2']!.ackedThrough, 2);
    assert.equal(byDevice['gate-bad']!.status, 'rejected');
    assert.match(byDevice['gate-bad']!.reason!, /not stored: disk says no/);
  });
});
