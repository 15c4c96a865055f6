import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { encodeFrame, readFrameAt } from './frame-codec.ts';
import { makeTempDir, NO_PAST_SEQS, tapRecord } from './journal-fixtures.ts';
import { encodeRecord } from './record-codec.ts';
import { STATE_FILE } from './ack-state.ts';
import { TapJournal } from './tap-journal.ts';
import type { TapJournalOptions } from './journal-options.ts';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';

const logger = pino({ level: 'silent' });

describe('tap journal recovery', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let journal: TapJournal | undefined;

  async function reopen(options: Partial<TapJournalOptions> = {}): Promise<TapJournal> {
    await journal?.stop();
    journal = new TapJournal({ dir, commitIntervalMs: 1, ackPersistIntervalMs: 0, wallClock: NO_PAST_SEQS, ...options }, logger);
    await journal.start();
    return journal;
  }

  /** Appends in batches of `batch` records, each committed before the next. */
  async function appendCommitted(count: number, options: Partial<TapJournalOptions> = {}, batch = 10): Promise<number[]> {
    const current = journal ?? (await reopen(options));
    const seqs: number[] = [];
    for (let done = 0; done < count; done += batch) {
      const size = Math.min(batch, count - done);
      const results = Array.from({ length: size }, (_, i) => current.append(tapRecord(`id-${current.nextSeq + i}`)));
      await Promise.all(results.map((result) => result.committed));
      seqs.push(...results.map((result) => result.seq));
    }
    return seqs;
  }

  async function segments(): Promise<string[]> {
    return (await readdir(dir)).filter((name) => name.startsWith('seg-')).sort().map((name) => join(dir, name));
  }

  async function lastSegment(): Promise<string> {
    const last = (await segments()).at(-1);
    assert.ok(last, 'a segment exists');
    return last;
  }

  /** Offsets of the frames in a segment file. */
  async function frameOffsets(path: string): Promise<number[]> {
    const buf = await readFile(path);
    const offsets: number[] = [];
    for (let frame = readFrameAt(buf, 0); frame; frame = readFrameAt(buf, frame.offset + frame.length)) offsets.push(frame.offset);
    return offsets;
  }

  async function seqsInJournal(): Promise<number[]> {
    return ((await journal?.readFrom(1, 10_000)) ?? []).map((record) => record.seq);
  }

  beforeEach(async () => {
    ({ dir, remove } = await makeTempDir());
    journal = undefined;
  });
  afterEach(async () => {
    await journal?.stop();
    await remove();
  });

  for (const [name, tail] of [
    ['garbage', Buffer.from('\x93\x11 power cut mid-write: these bytes are noise \xff\xfe')],
    ['a partial frame', encodeFrame(encodeRecord({ ...tapRecord('half'), seq: 6 } as JournalRecord)).subarray(0, 30)],
    ['a zero-filled tail', Buffer.alloc(4096)],
  ] as const) {
    it(`drops ${name} at the end of the last segment and continues the sequence`, async () => {
      await appendCommitted(5);
      await journal?.stop();
      journal = undefined;
      const path = await lastSegment();
      const goodSize = (await stat(path)).size;
      await appendFile(path, tail);
      await reopen();
      assert.equal((await stat(path)).size, goodSize, 'the torn tail is truncated away');
      assert.deepEqual(await seqsInJournal(), [1, 2, 3, 4, 5]);
      assert.deepEqual(await appendCommitted(2), [6, 7]);
      await reopen();
      assert.deepEqual(await seqsInJournal(), [1, 2, 3, 4, 5, 6, 7], 'appends after recovery are readable');
    });
  }

  it('drops a record with a bad CRC in the middle of the last segment and never reissues the seqs after it', async () => {
    await appendCommitted(10);
    await journal?.stop();
    journal = undefined;
    const path = await lastSegment();
    const offsets = await frameOffsets(path);
    const buf = await readFile(path);
    const crcAt = (offsets[4] ?? 0) + 4; // the frame of seq 5
    buf[crcAt] = (buf[crcAt] ?? 0) ^ 0xff;
    await writeFile(path, buf);
    const reopened = await reopen();
    assert.deepEqual(await seqsInJournal(), [1, 2, 3, 4]);
    assert.equal((await stat(path)).size, offsets[4], 'truncated at the damaged frame');
    // Seqs 6..10 may have reached the gateway: they are retired, not reused.
    assert.deepEqual(await appendCommitted(1), [11]);
    const records = await reopened.readFrom(1, 100);
    assert.deepEqual(records.at(-1), { ...tapRecord('id-11'), seq: 11 });
  });

  it('starts beyond a persisted ack point even when no record is left on disk', async () => {
    await writeFile(join(dir, STATE_FILE), JSON.stringify({ version: 1, ackedSeq: 500 }));
    const reopened = await reopen();
    assert.equal(reopened.nextSeq, 501);
    assert.deepEqual(await appendCommitted(1), [501]);
    assert.deepEqual(reopened.backlog.records, 1);
  });

  it('deletes at open the segments a crash left behind after their records were acknowledged', async () => {
    await appendCommitted(60, { segmentBytes: 4096 });
    const before = await segments();
    assert.ok(before.length >= 3);
    await journal?.stop();
    journal = undefined;
    // As if the process died after persisting the ack point but before compaction.
    await writeFile(join(dir, STATE_FILE), JSON.stringify({ version: 1, ackedSeq: 60 }));
    const reopened = await reopen({ segmentBytes: 4096 });
    assert.deepEqual(await segments(), before.slice(-1));
    assert.equal(reopened.nextSeq, 61);
    assert.deepEqual(reopened.backlog, { records: 0, bytes: 0 });
  });

  it('reads around damage in a sealed segment and keeps the later segments', async () => {
    await appendCommitted(60, { segmentBytes: 4096 });
    await journal?.stop();
    journal = undefined;
    const [first] = await segments();
    assert.ok(first);
    const offsets = await frameOffsets(first);
    const buf = await readFile(first);
    const payloadAt = (offsets[2] ?? 0) + 12; // inside the payload of seq 3
    buf[payloadAt] = (buf[payloadAt] ?? 0) ^ 0x01;
    await writeFile(first, buf);
    await reopen({ segmentBytes: 4096 });
    const seqs = await seqsInJournal();
    assert.deepEqual(seqs.slice(0, 2), [1, 2]);
    assert.equal((await stat(first)).size, buf.length, 'a sealed segment is never rewritten');
    assert.equal(seqs.at(-1), 60);
    assert.ok(!seqs.includes(3));
    assert.deepEqual(await appendCommitted(1), [61]);
  });
});
