/**
 * Fresh stores for measureLedgerThroughput (ledger-bench.ts): a temp-dir SQLite
 * file, or a throwaway PostgreSQL schema. Each pairs the ledger with its ceiling:
 * the fastest plain INSERT of the same rows, on its own connection to the same
 * store, without ON CONFLICT or progress rows. For PostgreSQL that is one
 * multi-row INSERT per group; for SQLite a prepared single-row INSERT in a loop,
 * because in better-sqlite3 multi-row VALUES (10–100 rows a statement) measured
 * 15–30% slower than that — a "ceiling" below the ledger would measure nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import type { BenchStore, BenchStoreFactory } from './ledger-bench.ts';
import { INSERT_RECORDS, PostgresLedger } from './postgres-ledger.ts';
import { SqliteLedger } from './sqlite-ledger.ts';

const COLUMNS = '(device, seq, kind, at, station, ticket_id, decision, reason, record)';

function values(r: JournalRecord): unknown[] {
  const tap = r as Partial<Extract<JournalRecord, { kind: 'tap' }>>;
  return [r.device, r.seq, r.kind, r.at, r.station, tap.ticketId ?? null, tap.decision ?? null, tap.reason ?? null, JSON.stringify(r)];
}

export function sqliteBenchStore(synchronous: 'FULL' | 'NORMAL' = 'FULL'): BenchStoreFactory {
  return async (): Promise<BenchStore> => {
    const dir = mkdtempSync(join(tmpdir(), 'faregate-ledger-bench-'));
    const path = join(dir, 'ledger.db');
    let raw: { db: Database.Database; insert: Database.Statement } | undefined;
    /** Opened on first use: the ledger's start() must have created the schema. */
    const open = (): NonNullable<typeof raw> => {
      if (raw === undefined) {
        const db = new Database(path);
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${synchronous}`);
        raw = { db, insert: db.prepare(`INSERT INTO records ${COLUMNS} VALUES (${Array(9).fill('?').join(', ')})`) };
      }
      return raw;
    };
    return {
      ledger: new SqliteLedger({ path, synchronous }),
      insertRaw: async (records) => {
        const { db, insert } = open();
        db.transaction(() => {
          for (const record of records) insert.run(values(record));
        }).immediate();
      },
      dispose: async () => {
        raw?.db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

/** `pipeline` as in PostgresLedgerOptions: on by default. */
export function postgresBenchStore(connection: pg.PoolConfig, pipeline = true): BenchStoreFactory {
  return async (): Promise<BenchStore> => {
    const schema = `faregate_bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Pool({ ...connection, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    const raw = new pg.Pool({ ...connection, max: 1, options: `-c search_path=${schema}` });
    return {
      ledger: new PostgresLedger({ pool: connection, schema, pipeline }),
      insertRaw: async (records) => {
        const client = await raw.connect();
        try {
          await client.query('BEGIN');
          await client.query(INSERT_RECORDS, [JSON.stringify(records)]);
          await client.query('COMMIT');
          client.release();
        } catch (error) {
          client.release(error as Error); // discards the connection, and its open transaction with it
          throw error;
        }
      },
      dispose: async () => {
        await raw.end();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  };
}
