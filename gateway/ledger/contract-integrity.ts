/** Ledger contract: declared losses (watermark, gaps, listing) and refused seq conflicts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerInputError } from './ingest-plan.ts';
import { freshLedgerPerTest, type MakeLedger } from './contract-fixture.ts';
import { EPOCH_MS, sampleLoss, sampleTap, sampleTaps } from './sample-records.ts';

/** A clock-based first seq, as a journal on new storage picks it (validator/journal/seq-space.ts). */
const FAR = 1_795_000_000 * 2 ** 20;

export function describeIntegrityContract(makeLedger: MakeLedger): void {
  describe('declared losses and seq conflicts', () => {
    const fx = freshLedgerPerTest(makeLedger);

    it('moves the watermark over a declared loss and lists it apart from gaps', async () => {
      const { ledger } = fx;
      await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 3));
      const result = await ledger.ingestBatch('gate-1', [sampleLoss('gate-1', 11, 4, 10), ...sampleTaps('gate-1', 12, 13)]);
      assert.deepEqual(result, { inserted: 3, duplicates: 0, conflicts: [], highestContiguous: 13 });
      assert.deepEqual(await ledger.gaps(), []);
      assert.deepEqual(await ledger.losses('gate-1'), [
        { device: 'gate-1', fromSeq: 4, toSeq: 10, reason: 'crash', declaredSeq: 11, at: sampleLoss('gate-1', 11, 4, 10).at },
      ]);
      assert.deepEqual((await ledger.taps({ device: 'gate-1', kind: 'loss', limit: 5 })).records, [sampleLoss('gate-1', 11, 4, 10)]);
    });

    it('keeps an open gap outside a loss open, and takes the covered part out of it', async () => {
      const { ledger } = fx;
      await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 2));
      await ledger.ingestBatch('gate-1', [sampleLoss('gate-1', 20, 8, 19), sampleTap('gate-1', 21)]);
      assert.deepEqual(await ledger.gaps('gate-1'), [{ device: 'gate-1', fromSeq: 3, toSeq: 7 }]);
      assert.equal((await ledger.deviceProgress('gate-1')).contiguousThrough, 2);
      assert.equal((await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 3, 7))).highestContiguous, 21, 'filled: the walk crosses the loss');
      assert.deepEqual(await ledger.gaps(), []);
    });

    it('accounts for a whole earlier seq space when new storage declares it lost (state_lost)', async () => {
      const { ledger } = fx;
      await ledger.ingestBatch('gate-1', [...sampleTaps('gate-1', 1, 5), ...sampleTaps('gate-1', 8, 9)]);
      const result = await ledger.ingestBatch('gate-1', [sampleLoss('gate-1', FAR, 1, FAR - 1, 'state_lost'), sampleTap('gate-1', FAR + 1, { at: EPOCH_MS })]);
      assert.equal(result.highestContiguous, FAR + 1);
      assert.deepEqual(await ledger.gaps(), [], 'seqs 6-7 will never come: declared, no longer open');
      assert.deepEqual((await ledger.losses()).map((l) => [l.fromSeq, l.toSeq, l.reason]), [[1, FAR - 1, 'state_lost']]);
    });

    it('refuses a record whose (device, seq) is stored with other content, keeps both, and reports it on every re-send', async () => {
      const { ledger } = fx;
      await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 3));
      const other = sampleTap('gate-1', 2, { reason: 'expired', decision: 'reject', ticketId: 'ffeeddccbbaa9988' });
      const refused = await ledger.ingestBatch('gate-1', [sampleTap('gate-1', 1), other, sampleTap('gate-1', 4)]);
      assert.deepEqual(refused, { inserted: 1, duplicates: 1, conflicts: [2], highestContiguous: 4 });
      assert.deepEqual((await ledger.taps({ device: 'gate-1', limit: 10 })).records[1], sampleTap('gate-1', 2), 'the stored record stays');
      const again = await ledger.ingestBatch('gate-1', [other]);
      assert.deepEqual(again.conflicts, [2]);
      const conflicts = await ledger.conflicts({ limit: 10 });
      assert.equal(conflicts.length, 1, 'the same refused content is kept once');
      assert.deepEqual(conflicts[0]?.stored, sampleTap('gate-1', 2));
      assert.deepEqual(conflicts[0]?.refused, other);
      assert.deepEqual(await ledger.conflicts({ device: 'gate-2', limit: 10 }), []);
    });

    it('finds a conflict between two batches of one group', async () => {
      const results = await fx.ledger.ingestBatches([
        { device: 'gate-1', records: sampleTaps('gate-1', 1, 2) },
        { device: 'gate-1', records: [sampleTap('gate-1', 2, { reason: 'changed' })] },
      ]);
      assert.deepEqual(results.map((r) => r.conflicts), [[], [2]]);
    });

    it('rejects a loss that does not lie below its own seq, naming the field', async () => {
      await assert.rejects(fx.ledger.ingestBatch('gate-1', [sampleLoss('gate-1', 5, 3, 7)]), (error: unknown) => {
        assert.ok(error instanceof LedgerInputError);
        assert.equal(error.field, 'records[0].from');
        return true;
      });
    });
  });
}
