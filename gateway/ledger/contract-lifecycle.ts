/** Ledger contract: start/stop and versioned schema migrations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ledger } from './ledger.ts';
import type { Migration } from './migrations.ts';
import { CONTRACT_NOW, freshLedgerPerTest, type MakeLedger } from './contract-fixture.ts';
import { sampleTaps } from './sample-records.ts';

/** Starts a ledger, runs `work`, and stops it even when `work` throws. */
async function using<T>(ledger: Ledger, work: (ledger: Ledger) => Promise<T>): Promise<T> {
  await ledger.start();
  try {
    return await work(ledger);
  } finally {
    await ledger.stop();
  }
}

/** Portable SQL: the same text runs on SQLite and PostgreSQL. */
const extra = (version: number, sql: string): Migration => ({ version, name: `test extra ${version}`, sql });

export function describeLifecycleContract(makeLedger: MakeLedger): void {
  describe('lifecycle and migrations', () => {
    const fx = freshLedgerPerTest(makeLedger);

    it('applies every migration once and keeps data across restarts', async () => {
      const first = await fx.ledger.migrations();
      assert.deepEqual(
        first.map((m) => m.version),
        fx.harness.migrations.map((m) => m.version),
      );
      assert.ok(first.every((m) => m.appliedAt === CONTRACT_NOW));
      await fx.ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 3));
      await fx.ledger.stop();
      for (let restart = 0; restart < 2; restart++) {
        await using(fx.harness.open({ now: () => CONTRACT_NOW + 1000 }), async (again) => {
          assert.deepEqual(await again.migrations(), first, 'nothing re-applied');
          assert.equal((await again.deviceProgress('gate-1')).contiguousThrough, 3);
        });
      }
      await fx.ledger.start();
    });

    it('applies a new migration on the next start, after the ones already applied', async () => {
      await fx.ledger.stop();
      const next = fx.harness.migrations.length + 1;
      const migrations = [...fx.harness.migrations, extra(next, 'CREATE TABLE contract_extra (id TEXT PRIMARY KEY)')];
      await using(fx.harness.open({ migrations, now: () => CONTRACT_NOW + 5 }), async (again) => {
        const applied = await again.migrations();
        assert.deepEqual(applied.at(-1), { version: next, name: `test extra ${next}`, appliedAt: CONTRACT_NOW + 5 });
        assert.equal(applied.length, next);
      });
      // The fixture's ledger now knows fewer migrations than the store: it stays stopped.
    });

    it('rolls a failing migration back whole and records nothing of it', async () => {
      await fx.ledger.stop();
      const next = fx.harness.migrations.length + 1;
      const failing = extra(next, 'CREATE TABLE half_done (id TEXT); CREATE TABLE half_done (id TEXT)');
      await assert.rejects(fx.harness.open({ migrations: [...fx.harness.migrations, failing] }).start());
      // Had the first statement survived, this CREATE would fail.
      const fixed = extra(next, 'CREATE TABLE half_done (id TEXT)');
      await using(fx.harness.open({ migrations: [...fx.harness.migrations, fixed] }), async (again) => {
        assert.equal((await again.migrations()).length, next);
      });
    });

    it('refuses to start on a store migrated by a newer gateway', async () => {
      await fx.ledger.stop();
      const next = fx.harness.migrations.length + 1;
      await using(fx.harness.open({ migrations: [...fx.harness.migrations, extra(next, 'CREATE TABLE newer (id TEXT)')] }), async () => {});
      await assert.rejects(fx.harness.open().start(), /newer than this gateway knows/);
      await assert.rejects(fx.ledger.start(), /newer than this gateway knows/, 'the fixture ledger too (stop() after a failed start is a no-op)');
    });

    it('migrates tokens made before scopes to admin', async () => {
      const store = await makeLedger(); // a store that never saw the scopes migration
      try {
        const scopes = store.migrations.findIndex((m) => m.name === 'api token scopes and ticket QR retrieval secrets');
        assert.ok(scopes > 0);
        const before = store.migrations.slice(0, scopes);
        const last = before.at(-1)!;
        // The last migration before scopes, with an old token added in its transaction (same name: the store accepts it).
        const oldToken = "INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES ('old', 'made before scopes', 'h-old', 1)";
        await using(store.open({ migrations: [...before.slice(0, -1), { ...last, sql: `${last.sql};\n${oldToken}` }] }), async () => {});
        await using(store.open(), async (again) => {
          assert.deepEqual(await again.findApiTokenByHash('h-old'), { id: 'old', name: 'made before scopes', tokenHash: 'h-old', scopes: ['admin'], createdAt: 1 });
        });
      } finally {
        await store.dispose();
      }
    });

    it('rejects calls before start and after stop', async () => {
      const idle = fx.harness.open();
      await assert.rejects(idle.deviceProgress('gate-1'), /not started/);
      await assert.rejects(idle.ingestBatch('gate-1', sampleTaps('gate-1', 1, 1)), /not started/);
      await fx.ledger.stop();
      await assert.rejects(fx.ledger.listDevices(), /not started/);
      await fx.ledger.start();
    });
  });
}
