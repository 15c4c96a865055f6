/**
 * Clearing end to end on PostgreSQL (npm run test:engines): the same scenario as
 * clearing-e2e.test.ts — real gates → gateway → charges, a late batch re-rating a
 * journey — with the gateway's ledger in a fresh PostgreSQL schema, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { runClearingScenario } from './clearing-scenario.ts';
import type { Cleanups } from './gateway-with-gates.ts';

const PG_URL = process.env.FAREGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `faregate_clearing_${randomBytes(4).toString('hex')}`;

const cleanups: Cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
});

describe('clearing with real gates on PostgreSQL', { timeout: 150_000 }, () => {
  it('charges account taps as they arrive and re-rates the journey when the exit, made while the gateway was down, arrives late', async () => {
    const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
    cleanups.push(async () => {
      await admin.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
      await admin.end();
    });
    await runClearingScenario('clearing-e2e-pg', cleanups, { ledger: { kind: 'postgres', connectionString: PG_URL, schema: SCHEMA } });
  });
});
