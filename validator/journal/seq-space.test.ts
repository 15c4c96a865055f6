import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { makeTempDir, NO_PAST_SEQS, tapRecord } from './journal-fixtures.ts';
import type { TapJournalOptions } from './journal-options.ts';
import { planSeqStart, RESERVATION_FILE, timeBasedFirstSeq } from './seq-space.ts';
import { JournalUnavailableError, TapJournal } from './tap-journal.ts';
import { FaultyJournalFs } from './testing/faulty-journal-fs.ts';

const logger = pino({ level: 'silent' });
const PLACE = { device: 'gate-0042', at: 1_767_225_600_000, clockTrusted: true, station: 'central', zone: 1, mode: 'metro', direction: 'entry' } as const;

describe('sequence numbers across crashes, failed disks and new storage', () => {
  let dir: string;
  let remove: () => Promise<void>;
  const open: TapJournal[] = [];
  beforeEach(async () => ({ dir, remove } = await makeTempDir()));
  afterEach(async () => {
    for (const journal of open.splice(0)) await journal.stop().catch(() => undefined);
    await remove();
  });

  async function startJournal(options: Partial<TapJournalOptions> = {}): Promise<TapJournal> {
    const journal = new TapJournal({ dir, commitIntervalMs: 1, ackPersistIntervalMs: 0, wallClock: NO_PAST_SEQS, reserveBlock: 10, ...options }, logger);
    await journal.start();
    open.push(journal);
    return journal;
  }

  async function allRecords(journal: TapJournal): Promise<JournalRecord[]> {
    return journal.readFrom(1, 10_000);
  }

  it('starts storage without a past at the clock seq and journals the range below as lost', async () => {
    const now = Date.UTC(2026, 10, 30, 8);
    const journal = await startJournal({ wallClock: () => now, lossRecordBase: () => PLACE });
    const first = timeBasedFirstSeq(now);
    assert.ok(first > 1e15 && first < Number.MAX_SAFE_INTEGER);
    assert.deepEqual(journal.declaredLoss, { from: 1, to: first - 1, reason: 'state_lost' });
    const tap = journal.append(tapRecord('t1'));
    assert.equal(tap.seq, first + 1, 'the loss record took the first seq');
    await tap.committed;
    const records = await allRecords(journal);
    assert.deepEqual(records.map((r) => [r.seq, r.kind]), [[first, 'loss'], [first + 1, 'tap']]);
    assert.equal(journal.acknowledgedSeq, first - 1, 'nothing below its first record is the journal\'s to send');
  });

  it('resumes above the reservation after a crash and declares the uncommitted range lost', async () => {
    const disk = new FaultyJournalFs();
    const crashed = await startJournal({ fs: disk });
    for (const id of ['a', 'b', 'c']) await crashed.append(tapRecord(id)).committed;
    disk.fail('EIO'); // from here nothing reaches the disk: the process "dies" with two taps decided
    assert.deepEqual([crashed.append(tapRecord('d')).seq, crashed.append(tapRecord('e')).seq], [4, 5]);

    const restarted = await startJournal({ lossRecordBase: () => PLACE });
    assert.deepEqual(restarted.declaredLoss, { from: 4, to: 10, reason: 'crash' });
    const next = restarted.append(tapRecord('f'));
    assert.equal(next.seq, 12, 'seq 11 is the loss record; 4 and 5 are never issued again');
    await next.committed;
    const records = await allRecords(restarted);
    assert.deepEqual(records.map((r) => r.seq), [1, 2, 3, 11, 12]);
    assert.deepEqual(records[3], { kind: 'loss', ...PLACE, seq: 11, from: 4, to: 10, reason: 'crash' });
  });

  it('declares nothing after a clean stop, and keeps counting', async () => {
    const first = await startJournal();
    for (const id of ['a', 'b']) first.append(tapRecord(id));
    await first.stop();
    const second = await startJournal();
    assert.equal(second.declaredLoss, undefined);
    assert.equal(second.append(tapRecord('c')).seq, 3);
  });

  it('fails a stop with records not made durable, naming them, and the next start declares them lost as journal_failed', async () => {
    const disk = new FaultyJournalFs();
    const journal = await startJournal({ fs: disk });
    await journal.append(tapRecord('a')).committed;
    disk.fail('ENOSPC', ['write']); // the segment cannot grow; small state files still can be replaced
    journal.append(tapRecord('b'));
    journal.append(tapRecord('c'));
    await assert.rejects(journal.stop(), /2 journal records \(seqs 2\.\.3\) were never made durable: ENOSPC/);
    disk.heal();
    const next = await startJournal();
    assert.deepEqual(next.declaredLoss, { from: 2, to: 10, reason: 'journal_failed' });
  });

  it('never hands out a seq beyond the reservation on disk', async () => {
    const disk = new FaultyJournalFs();
    const journal = await startJournal({ fs: disk, reserveBlock: 4 });
    disk.fail('EIO');
    for (let seq = 1; seq <= 4; seq++) assert.equal(journal.append(tapRecord(`t${seq}`)).seq, seq);
    assert.throws(() => journal.append(tapRecord('t5')), JournalUnavailableError);
    for (let turns = 0; journal.lastError === undefined && turns < 10_000; turns++) await new Promise((resolve) => setImmediate(resolve));
    assert.match(String(journal.lastError), /EIO/);
  });

  it('measures how long the oldest record waits uncommitted, back to 0 once the disk takes it', async () => {
    const disk = new FaultyJournalFs();
    let now = 1000;
    const journal = await startJournal({ fs: disk, monotonicNow: () => now });
    assert.equal(journal.uncommittedAgeMs(), 0);
    disk.fail('ENOSPC');
    const tap = journal.append(tapRecord('a'));
    now += 1500;
    assert.equal(journal.uncommittedAgeMs(), 1500);
    disk.heal();
    await tap.committed;
    assert.equal(journal.uncommittedAgeMs(), 0);
    assert.equal(journal.lastError, undefined);
  });

  it('moves above a seq the gateway already holds, durably', async () => {
    const journal = await startJournal();
    journal.append(tapRecord('a'));
    await journal.skipAbove(500);
    assert.equal(journal.append(tapRecord('b')).seq, 501);
    await journal.stop();
    const reopened = await startJournal();
    assert.ok(reopened.nextSeq > 501);
  });

  it('treats an unreadable reservation as lost state: jumps to the clock seq above everything on disk', async () => {
    const journal = await startJournal();
    await journal.append(tapRecord('a')).committed;
    await journal.stop();
    await writeFile(join(dir, RESERVATION_FILE), 'garbage');
    const reopened = await startJournal({ wallClock: () => 5_000 });
    assert.deepEqual(reopened.declaredLoss, { from: 2, to: timeBasedFirstSeq(5_000) - 1, reason: 'state_lost' });
  });

  it('plans a start above everything on disk even with a clock far behind', () => {
    const plan = planSeqStart({ fresh: false, lastDurable: 40, highestSeen: 50, reservation: undefined, nowMs: 0 });
    assert.deepEqual(plan, { nextSeq: 51, loss: { from: 41, to: 50, reason: 'state_lost' } });
  });
});
