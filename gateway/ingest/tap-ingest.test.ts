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
import { sampleLoss, sampleTap, sampleTaps } from '../ledger/sample-records.ts';
import { createGatewayMetrics } from '../metrics/gateway-metrics.ts';
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
    ingest = new TapIngest(ledger, publisher, metrics, pino({ level: 'silent' }));
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
