import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import sinon from 'sinon';
import { makeTempDir, NO_PAST_SEQS, tapRecord } from './journal-fixtures.ts';
import { RESERVATION_FILE } from './seq-space.ts';
import { STATE_FILE } from './ack-state.ts';
import { TapJournal } from './tap-journal.ts';
import type { TapJournalOptions } from './journal-options.ts';

const logger = pino({ level: 'silent' });

describe('tap journal', () => {
  let dir: string;
  let remove: () => Promise<void>;
  const opened: TapJournal[] = [];

  async function startJournal(options: Partial<TapJournalOptions> = {}): Promise<TapJournal> {
    const journal = new TapJournal({ dir, commitIntervalMs: 1, ackPersistIntervalMs: 0, wallClock: NO_PAST_SEQS, ...options }, logger);
    await journal.start();
    opened.push(journal);
    return journal;
  }

  async function appendCommitted(journal: TapJournal, count: number, prefix = 't'): Promise<number[]> {
    const results = Array.from({ length: count }, (_, i) => journal.append(tapRecord(`${prefix}${i}`)));
    await Promise.all(results.map((result) => result.committed));
    return results.map((result) => result.seq);
  }

  beforeEach(async () => {
    ({ dir, remove } = await makeTempDir());
  });
  afterEach(async () => {
    sinon.restore();
    for (const journal of opened.splice(0)) await journal.stop();
    await remove();
  });

  it('returns the seq at once and commits all records of one interval with one write + fdatasync', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const journal = await startJournal({ commitIntervalMs: 5 });
    const results = ['a', 'b', 'c'].map((id) => journal.append(tapRecord(id)));
    assert.deepEqual(results.map((result) => result.seq), [1, 2, 3]);
    assert.deepEqual(await readdir(dir), [RESERVATION_FILE], 'no record touched the disk yet (only the seq reservation, at start)');
    await clock.tickAsync(4);
    assert.equal(journal.commits, 0);
    await clock.tickAsync(1);
    await Promise.all(results.map((result) => result.committed));
    clock.restore();
    assert.equal(journal.commits, 1);
    assert.deepEqual((await journal.readFrom(1, 10)).map((record) => record.seq), [1, 2, 3]);
  });

  it('reads only committed records, oldest first, with their content intact', async () => {
    const journal = await startJournal({ commitIntervalMs: 1000 });
    const { seq, committed } = journal.append(tapRecord('feed0001', { decision: 'reject', reason: 'expired' }));
    assert.deepEqual(await journal.readFrom(1, 10), [], 'not committed yet');
    await journal.stop(); // stop commits; reopen to read it back
    opened.length = 0;
    await committed;
    const reopened = await startJournal();
    const [record] = await reopened.readFrom(1, 10);
    assert.deepEqual(record, { ...tapRecord('feed0001', { decision: 'reject', reason: 'expired' }), seq });
    await appendCommitted(reopened, 5);
    assert.deepEqual((await reopened.readFrom(3, 2)).map((r) => r.seq), [3, 4]);
  });

  it('continues the sequence across restarts and never repeats a seq', async () => {
    const first = await startJournal();
    assert.deepEqual(await appendCommitted(first, 3), [1, 2, 3]);
    await first.stop();
    const second = await startJournal();
    assert.equal(second.nextSeq, 4);
    assert.deepEqual(await appendCommitted(second, 2), [4, 5]);
    assert.deepEqual((await second.readFrom(1, 100)).map((r) => r.seq), [1, 2, 3, 4, 5]);
  });

  it('clears acknowledged records and keeps the ack point across a restart', async () => {
    const journal = await startJournal();
    await appendCommitted(journal, 5);
    await journal.acknowledge(3);
    assert.deepEqual(journal.backlog.records, 2);
    assert.deepEqual((await journal.readFrom(1, 10)).map((r) => r.seq), [4, 5]);
    assert.deepEqual(JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')), { version: 1, ackedSeq: 3 });
    await journal.stop();
    const reopened = await startJournal();
    assert.equal(reopened.acknowledgedSeq, 3);
    assert.deepEqual(reopened.backlog.records, 2);
    assert.deepEqual((await reopened.readFrom(1, 10)).map((r) => r.seq), [4, 5]);
  });

  it('clamps an ack beyond the last committed record', async () => {
    const journal = await startJournal();
    await appendCommitted(journal, 2);
    await journal.acknowledge(99);
    assert.equal(journal.acknowledgedSeq, 2);
    assert.equal(journal.nextSeq, 3);
  });

  it('rolls segments at the configured size and deletes those fully acknowledged, never the hot one', async () => {
    const journal = await startJournal({ segmentBytes: 4096 });
    const seqs: number[] = [];
    for (let batch = 0; batch < 8; batch++) seqs.push(...(await appendCommitted(journal, 10, `b${batch}-`)));
    const segments = (await readdir(dir)).filter((name) => name.startsWith('seg-')).sort();
    assert.ok(segments.length >= 3, `expected several segments, got ${segments.length}`);
    for (const name of segments) assert.ok((await stat(join(dir, name))).size <= 4096);
    await journal.acknowledge(seqs.at(-1) ?? 0);
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('seg-')),
      segments.slice(-1),
      'only the hot segment is left',
    );
    assert.deepEqual(journal.backlog, { records: 0, bytes: 0 });
    assert.deepEqual(await appendCommitted(journal, 1), [81]);
  });

  it('raises the backlog alarm over the limit, keeps appending, and clears it once acknowledged', async () => {
    const onBacklogAlarm = sinon.spy();
    const journal = await startJournal({ backlogAlarmRecords: 10, onBacklogAlarm });
    await appendCommitted(journal, 10);
    assert.equal(journal.backlogAlarm, false);
    const seqs = await appendCommitted(journal, 5);
    assert.deepEqual(seqs, [11, 12, 13, 14, 15], 'appends go on while the alarm is on');
    assert.equal(journal.backlogAlarm, true);
    assert.equal(onBacklogAlarm.callCount, 1);
    assert.equal(onBacklogAlarm.firstCall.args[0], true);
    await journal.acknowledge(5); // 10 left: not yet below 90 % of the limit
    assert.equal(journal.backlogAlarm, true);
    await journal.acknowledge(15);
    assert.equal(journal.backlogAlarm, false);
    assert.deepEqual(onBacklogAlarm.secondCall.args, [false, { records: 0, bytes: 0 }]);
  });

  it('retries a failed fdatasync without losing or duplicating a record', async () => {
    const journal = await startJournal();
    await appendCommitted(journal, 2); // creates the segment, so the stub hits a batch write
    const probe = await open(join(dir, STATE_FILE + '.probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = sinon.stub(prototype, 'datasync');
    datasync.onFirstCall().rejects(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    datasync.callThrough();
    const seqs = await appendCommitted(journal, 3, 'retry');
    assert.deepEqual(seqs, [3, 4, 5]);
    assert.ok(datasync.callCount >= 2, 'the batch was written again');
    await journal.stop();
    opened.length = 0;
    sinon.restore();
    const reopened = await startJournal();
    assert.deepEqual((await reopened.readFrom(1, 100)).map((r) => r.seq), [1, 2, 3, 4, 5]);
  });

  it('refuses appends before start and after stop', async () => {
    const journal = new TapJournal({ dir, wallClock: NO_PAST_SEQS }, logger);
    assert.throws(() => journal.append(tapRecord('x')), /not running/);
    await journal.start();
    await journal.stop();
    assert.throws(() => journal.append(tapRecord('x')), /not running/);
  });

  it('keeps its directory 0700 and its segment and state files 0600: taps are personal data', async () => {
    const previous = process.umask(0o022);
    try {
      const journalDir = join(dir, 'journal');
      const journal = await startJournal({ dir: journalDir });
      await appendCommitted(journal, 3);
      await journal.stop();
      opened.splice(opened.indexOf(journal), 1);
      assert.equal((await stat(journalDir)).mode & 0o777, 0o700);
      const files = await readdir(journalDir);
      assert.ok(files.length >= 2, files.join(', '));
      for (const file of files) assert.equal((await stat(join(journalDir, file))).mode & 0o777, 0o600, file);
    } finally {
      process.umask(previous);
    }
  });
});
