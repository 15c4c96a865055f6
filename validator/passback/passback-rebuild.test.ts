import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import pino from 'pino';
import { PassbackState } from '../check/passback-state.ts';
import { makeTempDir, tapRecord } from '../journal/journal-fixtures.ts';
import { TapJournal } from '../journal/tap-journal.ts';
import type { NewJournalRecord } from '../journal/record-codec.ts';
import { rebuildPassback } from './passback-rebuild.ts';

const logger = pino({ level: 'silent' });
const T_MS = 1_767_225_600_000;
const T = T_MS / 1000;
const id = (n: number): string => n.toString(16).padStart(32, '0');

describe('anti-passback rebuilt from the journal', () => {
  let dir: string;
  let remove: () => Promise<void>;
  const opened: TapJournal[] = [];

  async function journal(retainAcknowledgedMs: number): Promise<TapJournal> {
    const opened1 = new TapJournal({ dir, commitIntervalMs: 1, ackPersistIntervalMs: 0, segmentBytes: 4096, retainAcknowledgedMs }, logger);
    await opened1.start();
    opened.push(opened1);
    return opened1;
  }

  async function append(into: TapJournal, records: NewJournalRecord[]): Promise<void> {
    await Promise.all(records.map((record) => into.append(record).committed));
  }

  beforeEach(async () => {
    ({ dir, remove } = await makeTempDir());
  });
  afterEach(async () => {
    for (const one of opened.splice(0)) await one.stop();
    await remove();
  });

  it('remembers single tickets that entered before a restart, acknowledged segments included', async () => {
    const first = await journal(3_600_000);
    await append(first, Array.from({ length: 60 }, (_, n) => tapRecord(id(n), { at: T_MS + n })));
    await first.acknowledge(first.committedSeq);
    await append(first, Array.from({ length: 60 }, (_, n) => tapRecord(id(100 + n), { at: T_MS + 100 + n })));
    await first.acknowledge(first.committedSeq);
    await first.stop();
    const second = await journal(3_600_000);
    assert.ok((await readdir(dir)).filter((name) => name.endsWith('.jrn')).length >= 2, 'two segments: the acknowledged sealed one kept');
    const state = new PassbackState();
    assert.equal(await rebuildPassback(second, state, T - 60), 120);
    assert.equal(state.blocks(id(0), 'harbour', T + 3600, 600), true, 'a single ticket from the oldest segment');
    assert.equal(state.blocks(id(159), 'central', T + 3600, 600), true);
  });

  it('merges only accepted entries inside the window', async () => {
    const first = await journal(3_600_000);
    await append(first, [
      tapRecord(id(1), { at: T_MS - 7_200_000 }),
      tapRecord(id(2), { decision: 'reject', reason: 'revoked' } as Partial<NewJournalRecord>),
      tapRecord(id(3), { direction: 'exit' }),
      tapRecord(id(4), { product: 'day' } as Partial<NewJournalRecord>),
      { ...tapRecord(id(5)), kind: 'event', event: 'tailgating' } as unknown as NewJournalRecord,
    ]);
    const state = new PassbackState();
    assert.equal(await rebuildPassback(first, state, T - 3600), 1);
    assert.deepEqual([1, 2, 3, 4].map((n) => state.blocks(id(n), 'central', T + 1, 600)), [false, false, false, true]);
  });

  it('without retention, acknowledged sealed segments are gone and so are their entries', async () => {
    const first = await journal(0);
    await append(first, Array.from({ length: 60 }, (_, n) => tapRecord(id(n), { at: T_MS })));
    await append(first, Array.from({ length: 60 }, (_, n) => tapRecord(id(100 + n), { at: T_MS })));
    await first.acknowledge(first.committedSeq);
    await first.stop();
    const second = await journal(0);
    const state = new PassbackState();
    const merged = await rebuildPassback(second, state, T - 60);
    assert.ok(merged < 120 && merged > 0, `only the hot segment is left (${merged} entries)`);
    assert.equal(state.blocks(id(0), 'central', T + 1, 600), false);
  });
});
