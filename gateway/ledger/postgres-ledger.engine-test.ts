/**
 * The ledger contract against a real PostgreSQL (npm run test:engines; CI starts
 * the server with scripts/ci/ensure-services.sh). Each store is a fresh schema,
 * dropped afterwards, so runs never see each other's rows.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { DeviceBatch, Ledger } from './ledger.ts';
import { describeLedgerContract, type LedgerHarness } from './ledger-contract.ts';
import { POSTGRES_MIGRATIONS } from './postgres-schema.ts';
import { PostgresLedger } from './postgres-ledger.ts';
import { sampleTaps } from './sample-records.ts';

const CONNECTION = { connectionString: process.env.FAREGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' };
const admin = new pg.Pool({ ...CONNECTION, max: 2 });
after(() => admin.end());

async function postgresHarness(pipeline = true): Promise<LedgerHarness> {
  const schema = `faregate_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    migrations: POSTGRES_MIGRATIONS,
    open: (options = {}) => new PostgresLedger({ pool: { ...CONNECTION, max: 4 }, schema, pipeline, ...options }),
    dispose: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

describeLedgerContract('PostgreSQL, pipelined (one round trip a group)', () => postgresHarness(true));
describeLedgerContract('PostgreSQL, not pipelined (for poolers that cannot)', () => postgresHarness(false));

describe('PostgresLedger with several gateway instances', () => {
  for (const pipeline of [true, false]) {
    it(`keeps watermarks right and never deadlocks when instances group-commit overlapping devices (pipeline ${pipeline})`, async () => {
      const harness = await postgresHarness(pipeline);
      const ledgers: Ledger[] = Array.from({ length: 4 }, () => harness.open());
      try {
        await Promise.all(ledgers.map((l) => l.start()));
        const devices = ['gate-a', 'gate-b', 'gate-c', 'gate-d', 'gate-e'];
        // Every device's seqs 1..300 in batches of 10, each batch twice (a re-send),
        // dealt round-robin into groups that mix devices in different orders.
        const batches: DeviceBatch[] = [];
        for (let i = 0; i < 30; i++) {
          for (const device of devices) batches.push({ device, records: sampleTaps(device, i * 10 + 1, i * 10 + 10) });
        }
        const dealt = [...batches, ...batches.slice().reverse()];
        const groups: DeviceBatch[][] = [];
        for (let i = 0; i < dealt.length; i += 3) groups.push(dealt.slice(i, i + 3).reverse());
        await Promise.all(groups.map((group, i) => ledgers[i % ledgers.length]!.ingestBatches(group)));
        for (const device of devices) {
          const progress = await ledgers[0]!.deviceProgress(device);
          assert.equal(progress.contiguousThrough, 300, device);
          assert.equal(progress.highestSeq, 300, device);
        }
        assert.deepEqual(await ledgers[0]!.gaps(), []);
      } finally {
        await Promise.all(ledgers.map((l) => l.stop()));
        await harness.dispose();
      }
    });
  }

  it('applies migrations once when instances start together', async () => {
    const harness = await postgresHarness();
    const ledgers = Array.from({ length: 4 }, () => harness.open());
    try {
      await Promise.all(ledgers.map((l) => l.start()));
      const applied = await ledgers[0]!.migrations();
      assert.deepEqual(applied.map((m) => m.version), POSTGRES_MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all(ledgers.map((l) => l.stop()));
      await harness.dispose();
    }
  });
});
