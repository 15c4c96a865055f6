/** Ledger contract: exactly-once ingest, watermarks, gaps and group commit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerInputError } from './ingest-plan.ts';
import type { Ledger } from './ledger.ts';
import { CONTRACT_NOW, freshLedgerPerTest, type MakeLedger } from './contract-fixture.ts';
import { sampleTap, sampleTaps } from './sample-records.ts';

async function storedSeqs(ledger: Ledger, device: string): Promise<number[]> {
  const page = await ledger.taps({ device, limit: 10_000 });
  return page.records.map((r) => r.seq);
}

/** A deterministic shuffle (mulberry32), so a failure reproduces. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let a = seed;
  const random = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The watermark by definition: the largest n with 1..n all present. */
function expectedWatermark(present: Set<number>): number {
  let n = 0;
  while (present.has(n + 1)) n++;
  return n;
}

export function describeIngestContract(makeLedger: MakeLedger): void {
  describe('ingest', () => {
    const fx = freshLedgerPerTest(makeLedger);

    it('stores a batch and acks its highest contiguous seq', async () => {
      const records = sampleTaps('gate-1', 1, 5);
      assert.deepEqual(await fx.ledger.ingestBatch('gate-1', records), { inserted: 5, duplicates: 0, conflicts: [], highestContiguous: 5 });
      assert.deepEqual((await fx.ledger.taps({ device: 'gate-1', limit: 10 })).records, records);
    });

    it('treats a re-sent batch as a no-op, and the new part of an overlapping one as new', async () => {
      await fx.ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 5));
      assert.deepEqual(await fx.ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 5)), { inserted: 0, duplicates: 5, conflicts: [], highestContiguous: 5 });
      assert.deepEqual(await fx.ledger.ingestBatch('gate-1', sampleTaps('gate-1', 3, 8)), { inserted: 3, duplicates: 3, conflicts: [], highestContiguous: 8 });
      assert.deepEqual(await storedSeqs(fx.ledger, 'gate-1'), [1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('holds the watermark at a gap, reports the gap, and advances when the gap fills', async () => {
      const { ledger } = fx;
      await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 3));
      assert.equal((await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 7, 9))).highestContiguous, 3);
      assert.deepEqual(await ledger.gaps('gate-1'), [{ device: 'gate-1', fromSeq: 4, toSeq: 6 }]);
      assert.equal((await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 5, 5))).highestContiguous, 3);
      assert.deepEqual(await ledger.gaps('gate-1'), [
        { device: 'gate-1', fromSeq: 4, toSeq: 4 },
        { device: 'gate-1', fromSeq: 6, toSeq: 6 },
      ]);
      assert.equal((await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 6, 6))).highestContiguous, 3);
      assert.equal((await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 4, 4))).highestContiguous, 9);
      assert.deepEqual(await ledger.gaps('gate-1'), []);
      assert.deepEqual(await ledger.deviceProgress('gate-1'), {
        device: 'gate-1', contiguousThrough: 9, highestSeq: 9, updatedAt: CONTRACT_NOW,
      });
    });

    it('keeps the watermark at 0 while seq 1 is missing', async () => {
      assert.equal((await fx.ledger.ingestBatch('gate-1', sampleTaps('gate-1', 2, 4))).highestContiguous, 0);
      assert.deepEqual(await fx.ledger.gaps(), [{ device: 'gate-1', fromSeq: 1, toSeq: 1 }]);
      assert.deepEqual(await fx.ledger.deviceProgress('gate-1'), {
        device: 'gate-1', contiguousThrough: 0, highestSeq: 4, updatedAt: CONTRACT_NOW,
      });
      assert.equal((await fx.ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 1))).highestContiguous, 4);
    });

    it('reports an unknown device as having nothing', async () => {
      assert.deepEqual(await fx.ledger.deviceProgress('nobody'), { device: 'nobody', contiguousThrough: 0, highestSeq: 0, updatedAt: null });
      assert.deepEqual(await fx.ledger.gaps('nobody'), []);
    });

    it('computes the watermark right for batches arriving in any order', async () => {
      const batches = Array.from({ length: 30 }, (_, i) => sampleTaps('gate-1', i * 7 + 1, i * 7 + 7));
      const present = new Set<number>();
      for (const batch of shuffled(batches, 42)) {
        const result = await fx.ledger.ingestBatch('gate-1', batch);
        for (const r of batch) present.add(r.seq);
        assert.equal(result.highestContiguous, expectedWatermark(present));
      }
      assert.deepEqual(await fx.ledger.gaps(), []);
      assert.equal((await fx.ledger.deviceProgress('gate-1')).contiguousThrough, 210);
    });

    it('keeps devices apart: the same seq of two devices are two records', async () => {
      await fx.ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 3));
      assert.deepEqual(await fx.ledger.ingestBatch('gate-2', sampleTaps('gate-2', 1, 2)), { inserted: 2, duplicates: 0, conflicts: [], highestContiguous: 2 });
      await fx.ledger.ingestBatch('gate-2', sampleTaps('gate-2', 5, 5));
      assert.deepEqual(await fx.ledger.gaps(), [{ device: 'gate-2', fromSeq: 3, toSeq: 4 }]);
    });

    it('commits a group of batches at once, each result naming the watermark after the group', async () => {
      await fx.ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 2));
      const results = await fx.ledger.ingestBatches([
        { device: 'gate-1', records: sampleTaps('gate-1', 6, 8) },
        { device: 'gate-2', records: sampleTaps('gate-2', 1, 4) },
        { device: 'gate-1', records: sampleTaps('gate-1', 1, 5) },
        { device: 'gate-2', records: sampleTaps('gate-2', 3, 4) },
      ]);
      assert.deepEqual(results, [
        { inserted: 3, duplicates: 0, conflicts: [], highestContiguous: 8 },
        { inserted: 4, duplicates: 0, conflicts: [], highestContiguous: 4 },
        { inserted: 3, duplicates: 2, conflicts: [], highestContiguous: 8 },
        { inserted: 0, duplicates: 2, conflicts: [], highestContiguous: 4 },
      ]);
      assert.deepEqual(await fx.ledger.gaps(), []);
    });

    it('answers an empty batch with the current watermark', async () => {
      await fx.ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 3));
      assert.deepEqual(await fx.ledger.ingestBatch('gate-1', []), { inserted: 0, duplicates: 0, conflicts: [], highestContiguous: 3 });
      assert.deepEqual(await fx.ledger.ingestBatches([]), []);
    });

    it('rejects a record of another device, naming the field, and writes nothing of the batch', async () => {
      const records = [sampleTap('gate-1', 1), sampleTap('gate-2', 2)];
      await assert.rejects(fx.ledger.ingestBatch('gate-1', records), (error: unknown) => {
        assert.ok(error instanceof LedgerInputError);
        assert.equal(error.field, 'records[1].device');
        assert.match(error.message, /^records\[1\]\.device: .*"gate-1".*"gate-2"/);
        return true;
      });
      await assert.rejects(
        fx.ledger.ingestBatches([
          { device: 'gate-1', records: sampleTaps('gate-1', 1, 2) },
          { device: 'gate-3', records: [sampleTap('gate-1', 3)] },
        ]),
        /^LedgerInputError: batches\[1\]\.records\[0\]\.device: /,
      );
      assert.deepEqual(await fx.ledger.taps({ limit: 10 }), { records: [], nextCursor: null });
    });

    it('rejects a seq that is not a positive integer, naming the field', async () => {
      await assert.rejects(fx.ledger.ingestBatch('gate-1', [sampleTap('gate-1', 0)]), /records\[0\]\.seq: /);
      await assert.rejects(fx.ledger.ingestBatch('gate-1', [sampleTap('gate-1', 1), sampleTap('gate-1', 2.5)]), /records\[1\]\.seq: /);
    });

    it('gets the watermark right when two ledger instances ingest one device concurrently', async () => {
      const other = fx.harness.open({ now: () => CONTRACT_NOW });
      await other.start();
      try {
        const batches = shuffled(Array.from({ length: 40 }, (_, i) => sampleTaps('gate-1', i * 5 + 1, i * 5 + 5)), 7);
        await Promise.all(batches.map((batch, i) => (i % 2 === 0 ? fx.ledger : other).ingestBatch('gate-1', batch)));
        assert.deepEqual(await fx.ledger.deviceProgress('gate-1'), {
          device: 'gate-1', contiguousThrough: 200, highestSeq: 200, updatedAt: CONTRACT_NOW,
        });
        assert.equal((await storedSeqs(fx.ledger, 'gate-1')).length, 200);
      } finally {
        await other.stop();
      }
    });
  });
}
