import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import pino from 'pino';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { parseTapBatch, type TapBatch } from '../../protocol/mqtt/messages.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { Uplink, type UplinkJournal, type UplinkLink } from './uplink.ts';

class FakeJournal implements UplinkJournal {
  records: JournalRecord[] = [];
  committedSeq = 0;
  acknowledgedSeq = 0;
  add(count: number): void {
    for (let i = 0; i < count; i++) {
      const seq = this.records.length + 1;
      this.records.push({ kind: 'tap', device: 'gate-1', seq, at: 1_700_000_000_000 + seq, clockTrusted: true, station: 'S1', zone: 1, mode: 'metro', direction: 'entry', decision: 'accept', reason: 'ok' });
    }
    this.committedSeq = this.records.length;
  }
  async readFrom(fromSeq: number, max: number): Promise<JournalRecord[]> {
    return this.records.filter((record) => record.seq >= fromSeq && record.seq <= this.committedSeq).slice(0, max);
  }
  async acknowledge(seq: number): Promise<void> {
    this.acknowledgedSeq = Math.max(this.acknowledgedSeq, seq);
  }
  skippedAbove: number[] = [];
  async skipAbove(seq: number): Promise<void> {
    this.skippedAbove.push(seq);
  }
}

class FakeLink implements UplinkLink {
  connected = true;
  batches: TapBatch[] = [];
  async publish(topic: string, payload: Buffer): Promise<void> {
    assert.equal(topic, topics.taps('gate-1'));
    this.batches.push(parseTapBatch(payload));
  }
}

const ack = (ackedThrough: number, status = 'ok') => Buffer.from(JSON.stringify({ v: 1, device: 'gate-1', ackedThrough, status }));
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('uplink', () => {
  let clock: sinon.SinonFakeTimers;
  let journal: FakeJournal;
  let link: FakeLink;
  let uplink: Uplink;
  beforeEach(async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    journal = new FakeJournal();
    link = new FakeLink();
    uplink = new Uplink(journal, link, { device: 'gate-1', batchMaxRecords: 10, batchMaxDelayMs: 200, maxInFlightBatches: 2, ackTimeoutMs: 5000 }, pino({ level: 'silent' }));
    await uplink.start();
  });
  afterEach(async () => {
    await uplink.stop();
    clock.restore();
  });

  it('waits for the batch delay before sending a partial batch', async () => {
    journal.add(3);
    uplink.onCommitted();
    await settle();
    assert.equal(link.batches.length, 0);
    await clock.tickAsync(200);
    assert.deepEqual(link.batches.map((b) => [b.firstSeq, b.lastSeq]), [[1, 3]]);
  });

  it('sends a full batch at once, and no more than the in-flight window before acks', async () => {
    journal.add(45);
    uplink.onCommitted();
    await settle();
    assert.deepEqual(link.batches.map((b) => [b.firstSeq, b.lastSeq]), [[1, 10], [11, 20]]);
    uplink.onAck(ack(20));
    await settle();
    assert.equal(journal.acknowledgedSeq, 20);
    assert.deepEqual(link.batches.slice(2).map((b) => [b.firstSeq, b.lastSeq]), [[21, 30], [31, 40]]);
  });

  it('never sends a batch across a seq jump (the seqs a crash lost): it ends before and the next begins after', async () => {
    journal.add(12);
    // Seqs 4..9 were lost in a crash: the journal holds 1..3 and 10..12.
    journal.records = journal.records.filter((record) => record.seq <= 3 || record.seq >= 10);
    journal.readFrom = async (fromSeq, max) => journal.records.filter((record) => record.seq >= fromSeq).slice(0, max);
    uplink.onCommitted();
    await clock.tickAsync(200);
    assert.deepEqual(link.batches.map((b) => [b.firstSeq, b.lastSeq]), [[1, 3], [10, 12]]);
  });

  it('keeps records until acked and re-sends from the ack point after a reconnect', async () => {
    journal.add(20);
    uplink.onCommitted();
    await settle();
    uplink.onAck(ack(10));
    link.connected = false;
    link.batches = [];
    link.connected = true;
    uplink.onConnected();
    await settle();
    assert.equal(link.batches[0]!.firstSeq, 11, 'oldest un-acked first');
  });

  it('re-sends when no ack comes in time', async () => {
    journal.add(10);
    uplink.onCommitted();
    await settle();
    assert.equal(link.batches.length, 1);
    await clock.tickAsync(5000);
    assert.equal(link.batches.length, 2);
    assert.equal(link.batches[1]!.firstSeq, 1);
  });

  it('re-sends an un-acked batch on time even while new batches keep flowing', async () => {
    journal.add(10);
    uplink.onCommitted();
    await settle();
    for (let i = 0; i < 12; i++) {
      await clock.tickAsync(500);
      journal.add(1);
      uplink.onCommitted();
    }
    assert.ok(link.batches.slice(1).some((batch) => batch.firstSeq === 1), 'the first batch went out again within the ack timeout');
  });

  it('ignores malformed acks and acks for another device, and never acks past what is committed', async () => {
    journal.add(5);
    uplink.onAck(Buffer.from('{"v":1}'));
    uplink.onAck(Buffer.from(JSON.stringify({ v: 1, device: 'gate-2', ackedThrough: 5, status: 'ok' })));
    assert.equal(journal.acknowledgedSeq, 0);
    uplink.onAck(ack(99));
    await settle();
    assert.equal(journal.acknowledgedSeq, 5);
  });

  it('moves the journal above the gateway\'s highest seq when an ack names seq conflicts', async () => {
    journal.add(5);
    await clock.tickAsync(200);
    const conflicting = { v: 1, device: 'gate-1', ackedThrough: 5, status: 'ok', reason: 'seq_conflict', conflicts: [[2, 4]], highestSeq: 900 };
    uplink.onAck(Buffer.from(JSON.stringify(conflicting)));
    await settle();
    assert.deepEqual(journal.skippedAbove, [900]);
    assert.equal(journal.acknowledgedSeq, 5, 'the refused records are kept at the gateway: acknowledged here');
    assert.equal(uplink.status().seqConflicts, 1);
  });

  it('never sends a batch across a jump in seqs: the loss record after a restart opens the next one', async () => {
    journal.add(3);
    const loss = { kind: 'loss', device: 'gate-1', seq: 20, at: 1_700_000_000_020, clockTrusted: true, station: 'S1', zone: 1, mode: 'metro', direction: 'entry', from: 4, to: 19, reason: 'crash' } as const;
    journal.records.push(loss);
    journal.committedSeq = 20;
    uplink.onCommitted();
    await clock.tickAsync(200);
    assert.deepEqual(link.batches.map((b) => [b.firstSeq, b.lastSeq]), [[1, 3], [20, 20]]);
  });

  it('does not send while disconnected', async () => {
    link.connected = false;
    journal.add(30);
    uplink.onCommitted();
    await clock.tickAsync(1000);
    assert.equal(link.batches.length, 0);
  });
});
