import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { EPOCH_MS, sampleEvent, samplePassage, sampleTap } from '../ledger/sample-records.ts';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

interface Page {
  records: JournalRecord[];
  nextCursor: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const keys = (records: JournalRecord[]): string[] => records.map((r) => `${r.device}/${r.seq}`);

describe('tap routes', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
    const gateA: JournalRecord[] = [1, 2, 3, 4, 5, 6, 7, 8].map((seq) => sampleTap('gate-a', seq));
    gateA.push(samplePassage('gate-a', 9, 8), sampleEvent('gate-a', 10));
    await h.ledger.ingestBatch('gate-a', gateA);
    await h.ledger.ingestBatch('gate-b', [1, 2, 3, 4, 5].map((seq) => sampleTap('gate-b', seq, { station: 'north' })));
    // gate-c's seqs 3 and 4 have not arrived: a gap.
    await h.ledger.ingestBatch('gate-c', [1, 2, 5].map((seq) => sampleTap('gate-c', seq, { station: 'south' })));
  });
  after(() => h.close());

  const taps = async (query: string) => {
    const response = await h.operator({ url: `/api/taps?${query}` });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<Page>();
  };

  it('filters by device, in seq order, and by station', async () => {
    const page = await taps('device=gate-a');
    assert.deepEqual(keys(page.records), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((seq) => `gate-a/${seq}`));
    assert.equal(page.nextCursor, null);
    const north = await taps('station=north');
    assert.deepEqual(keys(north.records), [1, 2, 3, 4, 5].map((seq) => `gate-b/${seq}`));
  });

  it('filters by ticket id (any case), by kind, and passes records through whole', async () => {
    const ticketId = sampleTap('gate-b', 3).ticketId!;
    const page = await taps(`ticketId=${ticketId.toUpperCase()}`);
    // Sample ids repeat across devices by seq: gate-a, gate-b and none of gate-c have seq 3's id.
    assert.deepEqual(keys(page.records).sort(), ['gate-a/3', 'gate-b/3']);
    assert.deepEqual(page.records.find((r) => r.device === 'gate-b'), sampleTap('gate-b', 3, { station: 'north' }));
    assert.deepEqual(keys((await taps('kind=event')).records), ['gate-a/10']);
    assert.deepEqual(keys((await taps('kind=passage')).records), ['gate-a/9']);
  });

  it('takes from (inclusive) and until (exclusive) as ISO times', async () => {
    const page = await taps(`device=gate-b&from=${iso(EPOCH_MS + 2000)}&until=${iso(EPOCH_MS + 4000)}`);
    assert.deepEqual(keys(page.records), ['gate-b/2', 'gate-b/3']);
  });

  it('pages through everything with the cursor, each record once', async () => {
    const all = await taps('');
    assert.equal(all.records.length, 18);
    const seen: JournalRecord[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await taps(`limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.ok(page.records.length <= 4);
      seen.push(...page.records);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 5);
    assert.deepEqual(keys(seen), keys(all.records));
  });

  it('continues a device after a seq', async () => {
    assert.deepEqual(keys((await taps('device=gate-c&afterSeq=1')).records), ['gate-c/2', 'gate-c/5']);
  });

  it('refuses afterSeq without device and a cursor it never issued, naming the field', async () => {
    const afterSeq = await h.operator({ url: '/api/taps?afterSeq=3' });
    assert.equal(afterSeq.statusCode, 400);
    assert.match(afterSeq.json<{ message: string }>().message, /^query\/afterSeq needs device/);
    const cursor = await h.operator({ url: '/api/taps?cursor=bm9wZQ' });
    assert.equal(cursor.statusCode, 400);
    assert.match(cursor.json<{ message: string }>().message, /^query\/cursor/);
  });

  it('lists the sequence gaps, for all devices or one', async () => {
    const all = await h.operator({ url: '/api/gaps' });
    assert.deepEqual(all.json(), { gaps: [{ device: 'gate-c', fromSeq: 3, toSeq: 4 }] });
    const none = await h.operator({ url: '/api/gaps?device=gate-a' });
    assert.deepEqual(none.json(), { gaps: [] });
  });
});
