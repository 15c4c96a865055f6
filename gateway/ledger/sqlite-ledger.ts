/**
 * The default ledger: one SQLite file through better-sqlite3, in WAL mode.
 *
 * Durability: a commit returns after its pages are appended to the WAL. With
 * `synchronous = NORMAL` that append is a write() into the OS page cache, so a
 * commit survives the process being killed (kill -9, a crash) — the kernel still
 * writes the file — but not an OS crash or power loss, which may drop the last
 * commits (never corrupt the file). With `FULL` the WAL is fsynced at every
 * commit and survives both. Because the gateway's ack lets a validator drop its
 * copy of the taps, a commit lost after its ack is a tap lost for good, so FULL
 * is the default; group commit (ingestBatches) spreads the fsync over many
 * batches. Choose NORMAL only where the gateway's storage is battery-backed.
 *
 * better-sqlite3 is synchronous: a group blocks the event loop while it runs
 * (about 10 ms for 1,000 taps here). The API is async anyway so a worker thread
 * could take over without callers changing.
 */
import Database from 'better-sqlite3';
import { isDeepStrictEqual } from 'node:util';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { conflictsPerBatch, groupResults, planGroup } from './ingest-plan.ts';
import { recordDigest, watermarkWalkSql } from './loss-sql.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import type { DeviceBatch, IngestResult } from './ledger.ts';
import { pending, type Migration } from './migrations.ts';
import { toMigration, type Row } from './row-mappers.ts';
import { SQLITE_MIGRATIONS } from './sqlite-schema.ts';
import { SqlLedger, type SqlRunner, type SqlStatement } from './sql-ledger.ts';
import { makePrivateFile } from '../../runtime/private-files.ts';

export interface SqliteLedgerOptions {
  /** The database file; created with its directory's permissions if missing. */
  path: string;
  /** See the file comment. Default FULL. */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long to wait for another connection's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Injected for tests; default Date.now. */
  now?: () => number;
  /** Only for tests of migrations; default the shipped list. */
  migrations?: readonly Migration[];
}

/** Insert one record; single-row statements measured faster than multi-row VALUES in better-sqlite3. */
const INSERT_RECORD = `INSERT INTO records (device, seq, kind, at, station, ticket_id, decision, reason, record)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;

/** The new watermark (loss-sql.ts); the same rule as postgres-ledger.ts. */
const NEW_WATERMARK = watermarkWalkSql('@device', '@was');

const STORED_RECORD = 'SELECT record FROM records WHERE device = ? AND seq = ?';
const INSERT_LOSS = `INSERT INTO declared_losses (device, declared_seq, from_seq, to_seq, reason, at)
  VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;
const INSERT_CONFLICT = `INSERT INTO record_conflicts (device, seq, digest, record, received_at)
  VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;

const SAVE_PROGRESS = `INSERT INTO device_progress (device, contiguous_through, highest_seq, updated_at)
  VALUES (?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET contiguous_through = excluded.contiguous_through,
  highest_seq = max(highest_seq, excluded.highest_seq), updated_at = excluded.updated_at`;

/** The indexed columns beside the JSON, read the way PostgreSQL's `->>` reads them (absent → NULL). */
function recordValues(r: JournalRecord): unknown[] {
  const tap = r as Partial<Extract<JournalRecord, { kind: 'tap' }>>;
  return [r.device, r.seq, r.kind, r.at, r.station, tap.ticketId ?? null, tap.decision ?? null, tap.reason ?? null, JSON.stringify(r)];
}

/**
 * Account locks of every SqliteLedger in the process, keyed by file and account: one
 * process owns a SQLite ledger (several gateways share PostgreSQL, not SQLite).
 */
const accountLocks = new KeyedMutex();

export class SqliteLedger extends SqlLedger {
  private db: Database.Database | undefined;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly options: SqliteLedgerOptions) {
    super();
  }

  private get now(): () => number {
    return this.options.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.db !== undefined) throw new Error('ledger already started');
    // The ledger holds every tap and issued ticket: 0600 (SQLite gives -wal and -shm the file's mode).
    if (this.options.path !== ':memory:') makePrivateFile(this.options.path, [`${this.options.path}-wal`, `${this.options.path}-shm`]);
    const db = new Database(this.options.path, { timeout: this.options.busyTimeoutMs ?? 5000 });
    try {
      const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`SQLite refused WAL mode (got ${String(mode)}) for ${this.options.path}`);
      db.pragma(`synchronous = ${this.options.synchronous ?? 'FULL'}`);
      db.pragma('foreign_keys = ON');
      this.db = db;
      this.migrate();
    } catch (error) {
      this.db = undefined;
      db.close();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.statements.clear();
    db?.close();
  }

  private open(): Database.Database {
    if (this.db === undefined) throw new Error('ledger is not started');
    return this.db;
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.open().prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Each pending migration in its own IMMEDIATE transaction, re-reading what is applied under the lock. */
  private migrate(): void {
    const db = this.open();
    const known = this.options.migrations ?? SQLITE_MIGRATIONS;
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
    const applyNext = db.transaction((): boolean => {
      const applied = (db.prepare('SELECT * FROM schema_migrations ORDER BY version').all() as Row[]).map(toMigration);
      const next = pending(applied, known)[0];
      if (next === undefined) return false;
      db.exec(next.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(next.version, next.name, this.now());
      return true;
    });
    while (applyNext.immediate()) {
      // one migration per transaction until none is pending
    }
  }

  async withAccountLock<T>(account: string, work: () => Promise<T>): Promise<T> {
    this.open();
    return accountLocks.run(`${this.options.path}\u0000${account}`, work);
  }

  protected runner(): SqlRunner {
    this.open();
    return {
      dialect: 'sqlite',
      all: async (sql, values) => this.prepare(sql).all(...values) as Row[],
      write: async (statements: SqlStatement[]) =>
        this.open()
          .transaction(() => statements.map((s) => this.prepare(s.sql).run(...s.values).changes))
          .immediate(),
    };
  }

  protected async ingestGroup(batches: DeviceBatch[], single: boolean): Promise<IngestResult[]> {
    const plan = planGroup(batches, single);
    const db = this.open();
    const progress = this.prepare('SELECT contiguous_through FROM device_progress WHERE device = ?').pluck();
    const watermark = this.prepare(NEW_WATERMARK).pluck();
    const save = this.prepare(SAVE_PROGRESS);
    const group = db.transaction((): IngestResult[] => {
      // IMMEDIATE holds the write lock from here, so no other connection moves a watermark under us.
      const before = new Map<string, number>();
      for (const device of plan.devices) before.set(device, (progress.get(device) as number | undefined) ?? 0);
      if (plan.records.length === 0) return groupResults(batches, [], before);
      const now = this.now();
      const conflicting = new Set<number>();
      let index = 0;
      const inserted = batches.map((batch) => {
        let count = 0;
        for (const record of batch.records) {
          if (this.insertRecord(record)) count++;
          else if (this.refuseIfConflicting(record, now)) conflicting.add(index);
          index++;
        }
        return count;
      });
      const after = new Map<string, number>();
      for (const device of plan.devices) {
        const moved = watermark.get({ device, was: before.get(device)! }) as number; // planGroup listed every device
        save.run(device, moved, plan.maxSeq.get(device)!, now);
        after.set(device, moved);
      }
      return groupResults(batches, inserted, after, conflictsPerBatch(batches, conflicting));
    });
    return group.immediate();
  }

  /** Inserts a new record (and its declared loss); false when its (device, seq) exists. */
  private insertRecord(record: JournalRecord): boolean {
    if (this.prepare(INSERT_RECORD).run(...recordValues(record)).changes === 0) return false;
    if (record.kind === 'loss') {
      this.prepare(INSERT_LOSS).run(record.device, record.seq, record.from, record.to, record.reason, record.at);
    }
    return true;
  }

  /** A re-sent record is a no-op; one with other content is kept apart: true. */
  private refuseIfConflicting(record: JournalRecord, now: number): boolean {
    const stored = this.prepare(STORED_RECORD).pluck().get(record.device, record.seq) as string;
    if (isDeepStrictEqual(JSON.parse(stored), JSON.parse(JSON.stringify(record)))) return false;
    this.prepare(INSERT_CONFLICT).run(record.device, record.seq, recordDigest(record), JSON.stringify(record), now);
    return true;
  }
}
