/** Ledger contract: the taps() query — filters, orders and paging. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import type { Ledger, TapQuery } from './ledger.ts';
import { freshLedgerPerTest, type MakeLedger } from './contract-fixture.ts';
import { EPOCH_MS, sampleEvent, samplePassage, sampleTap, sampleTaps } from './sample-records.ts';

const RIDER = 'feedfacefeedfacefeedface';

/** gate-1 at central: taps 1..28, a passage 29, an event 30. gate-2 at north: taps 1..10, 4 and 7 by RIDER. */
function dataset(): JournalRecord[] {
  return [
    ...sampleTaps('gate-1', 1, 28),
    samplePassage('gate-1', 29, 28),
    sampleEvent('gate-1', 30),
    ...Array.from({ length: 10 }, (_, i) =>
      sampleTap('gate-2', i + 1, { station: 'north', ...(i + 1 === 4 || i + 1 === 7 ? { ticketId: RIDER } : {}) }),
    ),
  ];
}

/** Follows nextCursor to the end; checks every page but the last is full. */
async function allPages(ledger: Ledger, query: TapQuery): Promise<JournalRecord[]> {
  const out: JournalRecord[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await ledger.taps(cursor === undefined ? query : { ...query, cursor });
    out.push(...page.records);
    if (page.nextCursor === null) return out;
    assert.equal(page.records.length, query.limit, 'a page with a next page is full');
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

const keys = (records: JournalRecord[]): string[] => records.map((r) => `${r.device}#${r.seq}`);

export function describeQueryContract(makeLedger: MakeLedger): void {
  describe('taps query', () => {
    const fx = freshLedgerPerTest(makeLedger);
    const all = dataset();
    beforeEach(async () => {
      await fx.ledger.ingestBatches([
        { device: 'gate-1', records: all.filter((r) => r.device === 'gate-1') },
        { device: 'gate-2', records: all.filter((r) => r.device === 'gate-2') },
      ]);
    });

    it('pages through one device in seq order, by cursor or by afterSeq', async () => {
      const records = await allPages(fx.ledger, { device: 'gate-1', limit: 7 });
      assert.deepEqual(records, all.filter((r) => r.device === 'gate-1'));
      const tail = await fx.ledger.taps({ device: 'gate-1', afterSeq: 25, limit: 10 });
      assert.deepEqual(tail.records.map((r) => r.seq), [26, 27, 28, 29, 30]);
      assert.equal(tail.nextCursor, null);
    });

    it('pages through all devices in gate-time order, then device, then seq', async () => {
      const expected = [...all].sort((a, b) => a.at - b.at || a.device.localeCompare(b.device) || a.seq - b.seq);
      assert.deepEqual(keys(await allPages(fx.ledger, { limit: 6 })), keys(expected));
    });

    it('filters by station, ticket id, kind and gate-time window', async () => {
      const north = await fx.ledger.taps({ station: 'north', limit: 100 });
      assert.deepEqual(keys(north.records), keys(all.filter((r) => r.device === 'gate-2')));
      const rider = await fx.ledger.taps({ ticketId: RIDER, limit: 100 });
      assert.deepEqual(keys(rider.records), ['gate-2#4', 'gate-2#7']);
      assert.deepEqual(keys((await fx.ledger.taps({ kind: 'passage', limit: 100 })).records), ['gate-1#29']);
      assert.deepEqual(keys((await fx.ledger.taps({ device: 'gate-1', kind: 'event', limit: 100 })).records), ['gate-1#30']);
      const window = await fx.ledger.taps({ from: EPOCH_MS + 5000, until: EPOCH_MS + 8000, limit: 100 });
      assert.deepEqual(keys(window.records), ['gate-1#5', 'gate-2#5', 'gate-1#6', 'gate-2#6', 'gate-1#7', 'gate-2#7']);
      const combined = await fx.ledger.taps({ station: 'north', ticketId: RIDER, from: EPOCH_MS + 5000, limit: 100 });
      assert.deepEqual(keys(combined.records), ['gate-2#7']);
    });

    it('keeps fields it does not know, so records from newer validators survive', async () => {
      const future = { ...sampleTap('gate-3', 1), riderCount: 2, extra: { nested: [1, 'two'] } };
      await fx.ledger.ingestBatch('gate-3', [future]);
      assert.deepEqual((await fx.ledger.taps({ device: 'gate-3', limit: 1 })).records, [future]);
    });

    it('rejects afterSeq without device, a bad limit and a cursor of another query shape, naming the field', async () => {
      await assert.rejects(fx.ledger.taps({ afterSeq: 3, limit: 5 }), /^LedgerInputError: afterSeq: /);
      await assert.rejects(fx.ledger.taps({ limit: 0 }), /^LedgerInputError: limit: /);
      await assert.rejects(fx.ledger.taps({ limit: 10_001 }), /^LedgerInputError: limit: /);
      const page = await fx.ledger.taps({ device: 'gate-1', limit: 2 });
      assert.ok(page.nextCursor !== null);
      await assert.rejects(fx.ledger.taps({ limit: 2, cursor: page.nextCursor }), /^LedgerInputError: cursor: /);
      await assert.rejects(fx.ledger.taps({ limit: 2, cursor: 'not a cursor' }), /^LedgerInputError: cursor: /);
    });
  });
}
