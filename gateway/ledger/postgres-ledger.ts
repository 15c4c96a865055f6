/**
 * The ledger at scale: PostgreSQL through a pg Pool, shared by any number of
 * gateway instances (architecture.md, "Scale": nothing may assume it is the only
 * instance).
 *
 * Concurrency: two instances can ingest batches of the same device at once (a
 * re-sent batch lands on another worker of a shared subscription). A group
 * therefore first locks the progress rows of its devices, in sorted order so
 * groups cannot deadlock; the watermark it then computes, under READ COMMITTED,
 * sees every record committed by whoever held the lock before it.
 *
 * Round trips: a group is BEGIN, lock, insert, conflicts, progress, COMMIT, and no
 * statement needs an earlier one's reply, so with `pipeline` (the default) all
 * six go out together: one round trip per group, whatever its size.
 *
 * Durability is PostgreSQL's: with the default synchronous_commit = on, COMMIT
 * returns after the WAL is flushed.
 */
import pg from 'pg';
import { conflictsPerBatch, groupResults, insertedPerBatch, planGroup, recordKey } from './ingest-plan.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import type { DeviceBatch, IngestResult } from './ledger.ts';
import { watermarkWalkSql } from './loss-sql.ts';
import { pending, type Migration } from './migrations.ts';
import { POSTGRES_MIGRATIONS } from './postgres-schema.ts';
import { toMigration, type Row } from './row-mappers.ts';
import { SqlLedger, type SqlRunner, type SqlStatement } from './sql-ledger.ts';

export interface PostgresLedgerOptions {
  /** Connection settings (host, user, database, max, ...). */
  pool: pg.PoolConfig;
  /** Schema to use (set as search_path); default the server's search_path. */
  schema?: string;
  /** Injected for tests; default Date.now. */
  now?: () => number;
  /** Only for tests of migrations; default the shipped list. */
  migrations?: readonly Migration[];
  /**
   * Send a transaction's statements without waiting for each reply (pg's
   * pipeline mode). Default true; turn off behind a pooler that cannot pipeline
   * (some transaction-mode poolers), at the cost of four more round trips a group.
   */
  pipeline?: boolean;
  /**
   * An idle pooled connection failed (say the server restarted); the pool drops
   * it and the next query connects anew. Default: a process warning.
   */
  onPoolError?: (error: Error) => void;
}

const INT8_OID = 20;

/** int8 as a number: seqs and Unix ms stay far below 2^53 (validateBatch checks seqs are safe integers). */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Creates (or, ON CONFLICT, row-locks) each device's progress row, in sorted
 * order. Everything after it in the transaction runs once the lock is held, so
 * it sees every record committed by the previous holder.
 */
const LOCK_PROGRESS = `INSERT INTO device_progress (device, contiguous_through, highest_seq, updated_at)
  SELECT d, 0, 0, $2 FROM unnest($1::text[]) AS d ORDER BY d
  ON CONFLICT (device) DO UPDATE SET device = EXCLUDED.device
  RETURNING device, contiguous_through`;

/**
 * The whole group's records as one JSON array parameter: one round trip, and
 * jsonb_array_elements measured faster than nine unnest() arrays. The indexed
 * columns are read from the stored JSON itself, so they cannot disagree with it.
 */
export const INSERT_RECORDS = `INSERT INTO records (device, seq, kind, at, station, ticket_id, decision, reason, record)
  SELECT r->>'device', (r->>'seq')::bigint, r->>'kind', (r->>'at')::bigint, r->>'station',
         r->>'ticketId', r->>'decision', r->>'reason', r
  FROM jsonb_array_elements($1::jsonb) AS r`;

/** New records, and the declared loss of each new loss record, in one statement. */
const INSERT_RECORDS_AND_LOSSES = `WITH ins AS (${INSERT_RECORDS} ON CONFLICT DO NOTHING RETURNING device, seq, record),
  losses AS (INSERT INTO declared_losses (device, declared_seq, from_seq, to_seq, reason, at)
    SELECT device, seq, (record->>'from')::bigint, (record->>'to')::bigint, record->>'reason', (record->>'at')::bigint
    FROM ins WHERE record->>'kind' = 'loss' ON CONFLICT DO NOTHING)
  SELECT device, seq FROM ins`;

/**
 * Records of the group whose (device, seq) is stored with other content (jsonb
 * equality ignores field order): kept in record_conflicts, each distinct content once
 * (md5 of jsonb's canonical text), and returned by their 1-based place in the group.
 */
const REFUSE_CONFLICTS = `WITH sent AS (SELECT x, i FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, i)),
  differing AS (SELECT s.x, s.i FROM sent s JOIN records r ON r.device = s.x->>'device' AND r.seq = (s.x->>'seq')::bigint
    WHERE r.record <> s.x),
  kept AS (INSERT INTO record_conflicts (device, seq, digest, record, received_at)
    SELECT x->>'device', (x->>'seq')::bigint, md5(x::text), x, $2 FROM differing ON CONFLICT DO NOTHING)
  SELECT i FROM differing`;

/** New highest seq for every device of the group, and the watermark (loss-sql.ts). */
const SAVE_PROGRESS = `UPDATE device_progress p SET
    highest_seq = GREATEST(p.highest_seq, v.max_seq),
    contiguous_through = (${watermarkWalkSql('p.device', 'p.contiguous_through')}),
    updated_at = $3
  FROM unnest($1::text[], $2::bigint[]) AS v(device, max_seq)
  WHERE p.device = v.device
  RETURNING p.device, p.contiguous_through`;

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresLedger extends SqlLedger {
  private pool: pg.Pool | undefined;
  private readonly accountQueue = new KeyedMutex();

  constructor(private readonly options: PostgresLedgerOptions) {
    super();
  }

  private get now(): () => number {
    return this.options.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.pool !== undefined) throw new Error('ledger already started');
    const { schema } = this.options;
    if (schema !== undefined && !IDENTIFIER.test(schema)) throw new Error(`schema must match ${IDENTIFIER}, got ${schema}`);
    const pool = new pg.Pool({
      ...this.options.pool,
      pipeline: this.options.pipeline ?? true,
      types: TYPES,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // Without a listener an idle client's error would crash the process.
    pool.on('error', this.options.onPoolError ?? ((error) => process.emitWarning(`ledger pool: ${error.message}`)));
    this.pool = pool;
    try {
      await this.migrate();
    } catch (error) {
      this.pool = undefined;
      await pool.end();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  private open(): pg.Pool {
    if (this.pool === undefined) throw new Error('ledger is not started');
    return this.pool;
  }

  /** BEGIN … COMMIT around dependent steps on one client, ROLLBACK on any error. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.open().connect();
    let result: T;
    try {
      await client.query('BEGIN');
      result = await work(client);
      await client.query('COMMIT');
    } catch (error) {
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch (rollbackError) {
        // The connection is unusable: release(error) makes the pool discard it. The
        // caller gets the original error, which is the one that explains the failure.
        client.release(rollbackError as Error);
      }
      throw error;
    }
    client.release();
    return result;
  }

  /**
   * Independent statements in one transaction: BEGIN, the statements, COMMIT,
   * all sent at once when pipelining. Every reply is awaited before the client
   * goes back to the pool. If a statement fails, PostgreSQL ignores the rest and
   * turns COMMIT into a rollback; the first failure is thrown.
   */
  private async atomically(statements: SqlStatement[]): Promise<pg.QueryResult<Row>[]> {
    const client = await this.open().connect();
    const all = [{ sql: 'BEGIN', values: [] }, ...statements, { sql: 'COMMIT', values: [] }];
    let replies: PromiseSettledResult<pg.QueryResult<Row>>[];
    if (this.options.pipeline ?? true) {
      replies = await Promise.allSettled(all.map((s) => client.query<Row>(s.sql, s.values)));
    } else {
      replies = [];
      for (const s of all) replies.push(await client.query<Row>(s.sql, s.values).then(fulfilled, rejected));
    }
    const commit = replies[replies.length - 1]!; // BEGIN and COMMIT are always there
    // COMMIT answered (committed or rolled back): the connection is idle and reusable.
    client.release(commit.status === 'rejected' ? (commit.reason as Error) : undefined);
    const failed = replies.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    if (commit.status === 'fulfilled' && commit.value.command !== 'COMMIT') {
      throw new Error(`ledger transaction was rolled back (${commit.value.command})`);
    }
    return replies.slice(1, -1).map((r) => (r as PromiseFulfilledResult<pg.QueryResult<Row>>).value);
  }

  /**
   * Each pending migration in its own transaction under an advisory lock, so
   * instances starting together apply it once; the lock key is per schema.
   */
  private async migrate(): Promise<void> {
    const known = this.options.migrations ?? POSTGRES_MIGRATIONS;
    for (;;) {
      const applied = await this.transaction(async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('faregate.ledger.migrations.' || current_schema()))`);
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
        const done = (await client.query<Row>('SELECT * FROM schema_migrations ORDER BY version')).rows.map(toMigration);
        const next = pending(done, known)[0];
        if (next === undefined) return false;
        await client.query(next.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          next.version,
          next.name,
          this.now(),
        ]);
        return true;
      });
      if (!applied) return;
    }
  }

  /**
   * A session advisory lock on the account (per schema), held on a connection of its
   * own while `work` runs, so one instance at a time rates an account across every
   * gateway on this database. Callers of this ledger queue in the process first, so
   * only one connection per account waits on the server (waiting ones would otherwise
   * hold every pooled connection while the holder's `work` needs one).
   */
  async withAccountLock<T>(account: string, work: () => Promise<T>): Promise<T> {
    this.open();
    return this.accountQueue.run(account, () => this.holdingAdvisoryLock(account, work));
  }

  private async holdingAdvisoryLock<T>(account: string, work: () => Promise<T>): Promise<T> {
    const client = await this.open().connect();
    const lockKey = `hashtextextended('faregate.rating.' || current_schema() || '.' || $1, 0)`;
    let broken: Error | undefined;
    try {
      await client.query(`SELECT pg_advisory_lock(${lockKey})`, [account]);
      try {
        return await work();
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${lockKey})`, [account]).catch((error: Error) => (broken = error));
      }
    } finally {
      // A connection whose unlock failed may still hold the lock: the pool must discard it.
      client.release(broken);
    }
  }

  protected runner(): SqlRunner {
    const pool = this.open();
    return {
      dialect: 'postgres',
      all: async (sql, values) => (await pool.query<Row>(sql, values)).rows,
      write: async (statements: SqlStatement[]) => {
        if (statements.length === 1) return [(await pool.query(statements[0]!.sql, statements[0]!.values)).rowCount ?? 0];
        return (await this.atomically(statements)).map((r) => r.rowCount ?? 0);
      },
    };
  }

  protected async ingestGroup(batches: DeviceBatch[], single: boolean): Promise<IngestResult[]> {
    const plan = planGroup(batches, single);
    if (plan.records.length === 0) {
      const rows = await this.runner().all('SELECT device, contiguous_through FROM device_progress WHERE device = ANY($1)', [plan.devices]);
      return groupResults(batches, [], new Map(rows.map((r) => [String(r.device), Number(r.contiguous_through)])));
    }
    const now = this.now();
    const records = JSON.stringify(plan.records);
    const [, insertedRows, conflictRows, saved] = await this.atomically([
      { sql: LOCK_PROGRESS, values: [plan.devices, now] },
      { sql: INSERT_RECORDS_AND_LOSSES, values: [records] },
      { sql: REFUSE_CONFLICTS, values: [records, now] },
      { sql: SAVE_PROGRESS, values: [plan.devices, plan.devices.map((d) => plan.maxSeq.get(d)!), now] },
    ]);
    const inserted = new Set(insertedRows!.rows.map((r) => recordKey(String(r.device), Number(r.seq))));
    const conflicting = new Set(conflictRows!.rows.map((r) => Number(r.i) - 1));
    const after = new Map(saved!.rows.map((r) => [String(r.device), Number(r.contiguous_through)]));
    return groupResults(batches, insertedPerBatch(batches, inserted), after, conflictsPerBatch(batches, conflicting));
  }
}

const fulfilled = <T>(value: T): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value });
const rejected = (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason });
