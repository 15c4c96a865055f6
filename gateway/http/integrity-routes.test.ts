import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { sampleLoss, sampleTap } from '../ledger/sample-records.ts';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

describe('loss and conflict routes', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
    // gate-d declared 3..9 lost after a crash, and later sent seq 2 again with other content.
    await h.ledger.ingestBatch('gate-d', [sampleTap('gate-d', 1), sampleTap('gate-d', 2), sampleLoss('gate-d', 10, 3, 9), sampleTap('gate-d', 11)]);
    await h.ledger.ingestBatch('gate-d', [sampleTap('gate-d', 2, { reason: 'expired', decision: 'reject' })]);
    // gate-e's seq 2 has not arrived: an open gap.
    await h.ledger.ingestBatch('gate-e', [sampleTap('gate-e', 1), sampleTap('gate-e', 3)]);
  });
  after(() => h.close());

  it('lists declared losses apart from the open gaps', async () => {
    const losses = await h.operator({ url: '/api/losses' });
    assert.equal(losses.statusCode, 200, losses.body);
    assert.deepEqual(losses.json(), { losses: [{ device: 'gate-d', fromSeq: 3, toSeq: 9, reason: 'crash', declaredSeq: 10, at: sampleLoss('gate-d', 10, 3, 9).at }] });
    assert.deepEqual((await h.operator({ url: '/api/losses?device=gate-e' })).json(), { losses: [] });
    assert.deepEqual((await h.operator({ url: '/api/gaps' })).json(), { gaps: [{ device: 'gate-e', fromSeq: 2, toSeq: 2 }] });
  });

  it('lists refused seq conflicts with the record stored under the same seq', async () => {
    const response = await h.operator({ url: '/api/conflicts?device=gate-d' });
    assert.equal(response.statusCode, 200, response.body);
    const [conflict] = response.json<{ conflicts: Array<{ seq: number; stored: JournalRecord; refused: JournalRecord }> }>().conflicts;
    assert.equal(conflict?.seq, 2);
    assert.deepEqual(conflict?.stored, sampleTap('gate-d', 2));
    assert.equal(conflict?.refused.kind === 'tap' && conflict.refused.reason, 'expired');
  });

  it('refuses a limit out of range, naming the field', async () => {
    const response = await h.operator({ url: '/api/conflicts?limit=0' });
    assert.equal(response.statusCode, 400);
    assert.match(response.json<{ message: string }>().message, /limit/);
  });
});
