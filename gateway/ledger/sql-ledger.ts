/**
 * The part of the ledger both SQL stores share: every read, and every write
 * whose SQL is the same in SQLite and PostgreSQL. A subclass brings the
 * lifecycle, the migrations and the ingest transaction, which differ (a
 * synchronous in-process database against a pool of connections).
 */
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import type {
  ApiToken,
  AppliedMigration,
  DeclaredLoss,
  Device,
  DeviceBatch,
  DeviceProgress,
  DeviceState,
  Fare,
  FareQuery,
  IngestResult,
  Ledger,
  PublishedBundle,
  RecordConflict,
  SeqGap,
  Settlement,
  StoredTicket,
  TapPage,
  TapQuery,
} from './ledger.ts';
import { checkLimit, faresFromSql, faresSql, gapsSql, Params, tapsPage, tapsSql } from './ledger-sql.ts';
import { subtractLosses } from './loss-sql.ts';
import type { AccountDayRating, ChargeTotal, ClearingFlag, DeviceRange, LateArrival, LateSummary, TicketUse } from './clearing-store.ts';
import { SqlClearing } from './clearing-sql.ts';
import * as map from './row-mappers.ts';
import type { Row } from './row-mappers.ts';

export interface SqlStatement {
  sql: string;
  values: unknown[];
}

/** The little a dialect must provide for the shared queries. */
export interface SqlRunner {
  readonly dialect: 'sqlite' | 'postgres';
  all(sql: string, values: unknown[]): Promise<Row[]>;
  /** Runs the statements in one transaction; returns the rows each changed. */
  write(statements: SqlStatement[]): Promise<number[]>;
}

/** Rows per multi-row INSERT of fares: 6 values a row stays far below both stores' bind limits. */
const FARE_CHUNK = 500;

export abstract class SqlLedger implements Ledger {
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  /** The runner of the open store; throws when the ledger is not started. */
  protected abstract runner(): SqlRunner;
  /** One transaction for the whole group; `single` words errors for one batch. */
  protected abstract ingestGroup(batches: DeviceBatch[], single: boolean): Promise<IngestResult[]>;
  /** The store's account lock (clearing-store.ts). */
  abstract withAccountLock<T>(account: string, work: () => Promise<T>): Promise<T>;

  private readonly clearing = new SqlClearing(() => this.runner());

  private params(): Params {
    return new Params(this.runner().dialect);
  }

  private async rows(build: (p: Params) => string): Promise<Row[]> {
    const p = this.params();
    const sql = build(p);
    return this.runner().all(sql, p.values);
  }

  private async change(sql: string, values: unknown[]): Promise<number> {
    const [changed] = await this.runner().write([{ sql: this.placeholders(sql), values }]);
    return changed ?? 0;
  }

  /** Lets fixed SQL be written with `?` and run on PostgreSQL as `$n`. */
  private placeholders(sql: string): string {
    if (this.runner().dialect === 'sqlite') return sql;
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  }

  private async fixed(sql: string, values: unknown[]): Promise<Row[]> {
    return this.runner().all(this.placeholders(sql), values);
  }

  async ingestBatch(device: string, records: JournalRecord[]): Promise<IngestResult> {
    const [result] = await this.ingestGroup([{ device, records }], true);
    return result!; // one batch in, one result out
  }

  async ingestBatches(batches: DeviceBatch[]): Promise<IngestResult[]> {
    return this.ingestGroup(batches, false);
  }

  async gaps(device?: string): Promise<SeqGap[]> {
    const rows = await this.rows((p) => gapsSql(p, device));
    const gaps = rows.map((r) => ({ device: String(r.device), fromSeq: Number(r.from_seq), toSeq: Number(r.to_seq) }));
    return gaps.length === 0 ? gaps : subtractLosses(gaps, await this.losses(device));
  }

  async losses(device?: string): Promise<DeclaredLoss[]> {
    const rows =
      device === undefined
        ? await this.fixed('SELECT * FROM declared_losses ORDER BY device, from_seq', [])
        : await this.fixed('SELECT * FROM declared_losses WHERE device = ? ORDER BY from_seq', [device]);
    return rows.map(map.toLoss);
  }

  async conflicts(query: { device?: string; limit: number }): Promise<RecordConflict[]> {
    checkLimit(query.limit);
    const rows = await this.rows(
      (p) => `SELECT c.device, c.seq, c.record AS refused, r.record AS stored, c.received_at
        FROM record_conflicts c JOIN records r ON r.device = c.device AND r.seq = c.seq
        ${query.device === undefined ? '' : `WHERE c.device = ${p.add(query.device)}`}
        ORDER BY c.received_at DESC, c.device, c.seq LIMIT ${p.add(query.limit)}`,
    );
    return rows.map(map.toConflict);
  }

  async deviceProgress(device: string): Promise<DeviceProgress> {
    const rows = await this.fixed('SELECT * FROM device_progress WHERE device = ?', [device]);
    return map.toProgress(device, rows[0]);
  }

  async taps(query: TapQuery): Promise<TapPage> {
    const rows = await this.rows((p) => tapsSql(p, query));
    const page = tapsPage(
      rows.map((r) => ({ device: String(r.device), seq: Number(r.seq), at: Number(r.at), row: r })),
      query,
    );
    return { records: page.rows.map((r) => map.toRecord(r.row)), nextCursor: page.nextCursor };
  }

  async migrations(): Promise<AppliedMigration[]> {
    return (await this.fixed('SELECT * FROM schema_migrations ORDER BY version', [])).map(map.toMigration);
  }

  async upsertDevice(device: Device): Promise<void> {
    await this.change(
      `INSERT INTO devices (id, station, zone, mode, direction, credential_hash, created_at, state, stop_id, network_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET station = excluded.station, zone = excluded.zone, mode = excluded.mode,
         direction = excluded.direction, credential_hash = excluded.credential_hash, state = excluded.state,
         stop_id = excluded.stop_id, network_id = excluded.network_id`,
      map.deviceValues(device),
    );
  }

  async setDeviceState(id: string, state: DeviceState): Promise<boolean> {
    return (await this.change('UPDATE devices SET state = ? WHERE id = ?', [JSON.stringify(state), id])) === 1;
  }

  async getDevice(id: string): Promise<Device | null> {
    const [row] = await this.fixed('SELECT * FROM devices WHERE id = ?', [id]);
    return row === undefined ? null : map.toDevice(row);
  }

  async removeDevice(id: string): Promise<boolean> {
    return (await this.change('DELETE FROM devices WHERE id = ?', [id])) === 1;
  }

  async listDevices(): Promise<Device[]> {
    return (await this.fixed('SELECT * FROM devices ORDER BY id', [])).map(map.toDevice);
  }

  async putBundle(bundle: PublishedBundle): Promise<boolean> {
    const changed = await this.change(
      'INSERT INTO bundles (type, version, bytes, published_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [bundle.type, bundle.version, Buffer.from(bundle.bytes), bundle.publishedAt],
    );
    return changed === 1;
  }

  async latestBundle(type: string): Promise<PublishedBundle | null> {
    const [row] = await this.fixed('SELECT * FROM bundles WHERE type = ? ORDER BY version DESC LIMIT 1', [type]);
    return row === undefined ? null : map.toBundle(row);
  }

  async latestBundles(): Promise<PublishedBundle[]> {
    const rows = await this.fixed(
      `SELECT * FROM bundles b WHERE b.version = (SELECT MAX(version) FROM bundles WHERE type = b.type) ORDER BY b.type`,
      [],
    );
    return rows.map(map.toBundle);
  }

  async insertIssuedTicket(ticket: StoredTicket): Promise<void> {
    await this.change(
      `INSERT INTO issued_tickets (ticket_id, product, fare_class, zones, modes, nbf, exp, holder_key_hex, text, issued_at,
         fare_product_id, price_minor, currency, qr_secret_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      map.ticketValues(ticket),
    );
  }

  async getIssuedTicket(ticketId: string): Promise<StoredTicket | null> {
    const [row] = await this.fixed('SELECT * FROM issued_tickets WHERE ticket_id = ?', [ticketId]);
    return row === undefined ? null : map.toTicket(row);
  }

  async consumeTicketQrSecret(ticketId: string, qrSecretHash: string): Promise<boolean> {
    const sql = 'UPDATE issued_tickets SET qr_secret_hash = NULL WHERE ticket_id = ? AND qr_secret_hash = ?';
    return (await this.change(sql, [ticketId, qrSecretHash])) === 1;
  }

  async insertApiToken(token: ApiToken): Promise<void> {
    await this.change('INSERT INTO api_tokens (id, name, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)', [
      token.id, token.name, token.tokenHash, token.scopes.join(','), token.createdAt,
    ]);
  }

  async findApiTokenByHash(tokenHash: string): Promise<ApiToken | null> {
    const [row] = await this.fixed('SELECT * FROM api_tokens WHERE token_hash = ?', [tokenHash]);
    return row === undefined ? null : map.toApiToken(row);
  }

  async listApiTokens(): Promise<ApiToken[]> {
    return (await this.fixed('SELECT * FROM api_tokens ORDER BY created_at, id', [])).map(map.toApiToken);
  }

  async deleteApiToken(id: string): Promise<boolean> {
    return (await this.change('DELETE FROM api_tokens WHERE id = ?', [id])) === 1;
  }

  async insertFares(fares: Fare[]): Promise<number> {
    const statements: SqlStatement[] = [];
    for (let i = 0; i < fares.length; i += FARE_CHUNK) {
      const p = this.params();
      const rows = fares.slice(i, i + FARE_CHUNK).map((f) => `(${map.fareValues(f).map((v) => p.add(v)).join(', ')})`);
      statements.push({
        sql: `INSERT INTO fares (tap_device, tap_seq, amount_cents, currency, operator, computed_at)
              VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`,
        values: p.values,
      });
    }
    if (statements.length === 0) return 0;
    return (await this.runner().write(statements)).reduce((sum, n) => sum + n, 0);
  }

  async fares(query: FareQuery): Promise<Fare[]> {
    return (await this.rows((p) => faresSql(p, query))).map(map.toFare);
  }

  async fareTotal(query: Omit<FareQuery, 'limit'>): Promise<{ totalCents: number; count: number }> {
    const [row] = await this.rows(
      (p) => `SELECT COALESCE(SUM(f.amount_cents), 0) AS total, COUNT(*) AS n ${faresFromSql(p, query)}`,
    );
    return { totalCents: Number(row?.total ?? 0), count: Number(row?.n ?? 0) };
  }

  async insertSettlement(settlement: Settlement): Promise<boolean> {
    const changed = await this.change(
      `INSERT INTO settlements (id, operator, currency, period_start, period_end, total_cents, fare_count, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      map.settlementValues(settlement),
    );
    return changed === 1;
  }

  async settlements(operator?: string): Promise<Settlement[]> {
    const rows =
      operator === undefined
        ? await this.fixed('SELECT * FROM settlements ORDER BY period_start, id', [])
        : await this.fixed('SELECT * FROM settlements WHERE operator = ? ORDER BY period_start, id', [operator]);
    return rows.map(map.toSettlement);
  }

  // Clearing (clearing-sql.ts).
  currentRatings(account: string, fromDay: string, toDay: string): Promise<AccountDayRating[]> {
    return this.clearing.currentRatings(account, fromDay, toDay);
  }
  ratingHistory(account: string, fromDay: string, toDay: string): Promise<AccountDayRating[]> {
    return this.clearing.ratingHistory(account, fromDay, toDay);
  }
  insertRating(rating: AccountDayRating): Promise<boolean> {
    return this.clearing.insertRating(rating);
  }
  chargeTotals(serviceDay: string): Promise<ChargeTotal[]> {
    return this.clearing.chargeTotals(serviceDay);
  }
  ratingFlags(fromDay: string, toDay: string): Promise<ClearingFlag[]> {
    return this.clearing.ratingFlags(fromDay, toDay);
  }
  recordTicketUses(uses: TicketUse[]): Promise<number> {
    return this.clearing.recordTicketUses(uses);
  }
  usesOfTicketsUsedOn(serviceDay: string): Promise<TicketUse[]> {
    return this.clearing.usesOfTicketsUsedOn(serviceDay);
  }
  ticketUses(ticketId: string): Promise<TicketUse[]> {
    return this.clearing.ticketUses(ticketId);
  }
  repeatedEntries(product: string, fromDay: string, toDay: string): Promise<TicketUse[]> {
    return this.clearing.repeatedEntries(product, fromDay, toDay);
  }
  recordLateArrivals(late: LateArrival[]): Promise<number> {
    return this.clearing.recordLateArrivals(late);
  }
  lateSummary(from: number, until: number): Promise<LateSummary[]> {
    return this.clearing.lateSummary(from, until);
  }
  deviceRanges(from: number, until: number): Promise<DeviceRange[]> {
    return this.clearing.deviceRanges(from, until);
  }
}
