/**
 * The clearing tables (clearing-store.ts) in SQL both dialects run unchanged; only
 * placeholders differ, so statements are written with `?` and converted. The account
 * lock differs per store and lives in the ledger classes.
 */
import type {
  AccountDayRating,
  ChargedLeg,
  ChargeTotal,
  ClearingFlag,
  ClearingStore,
  DeviceRange,
  LateArrival,
  LateSummary,
  TicketUse,
} from './clearing-store.ts';
import type { Row } from './row-mappers.ts';
import type { SqlRunner, SqlStatement } from './sql-ledger.ts';

const num = (value: unknown): number => Number(value);
const str = (value: unknown): string => String(value);
const optStr = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/** `?` placeholders as the dialect wants them. */
export function inDialect(sql: string, dialect: SqlRunner['dialect']): string {
  if (dialect === 'sqlite') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Multi-row VALUES of `width` placeholders each. */
function valuesList(rows: number, width: number): string {
  const one = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => one).join(', ');
}

/** Rows per multi-row INSERT: far below both stores' bind-parameter limits. */
const CHUNK = 500;

const IS_CURRENT = (alias: string): string =>
  `${alias}.version = (SELECT MAX(m.version) FROM fare_ratings m WHERE m.account = ${alias}.account AND m.service_day = ${alias}.service_day)`;

const CHARGE_COLUMNS = `account, service_day, version, leg_index, network, agency, from_stop, to_stop, start_at, end_at, status,
  fare_product_id, category, base_minor, charge_minor, currency, sub_journey, explain, taps`;

const USE_COLUMNS = 'device, seq, ticket_id, product, at, service_day, direction, stop, network, agency';

function chargeValues(r: AccountDayRating, l: ChargedLeg): unknown[] {
  return [
    r.account, r.serviceDay, r.version, l.legIndex, l.network, l.agency, l.fromStop, l.toStop, l.start, l.end, l.status,
    l.fareProductId, l.category, l.baseMinor, l.chargeMinor, l.currency, l.subJourney, JSON.stringify(l.explain), JSON.stringify(l.taps),
  ];
}

function toLeg(row: Row): ChargedLeg {
  return {
    legIndex: num(row.leg_index),
    network: str(row.network),
    agency: str(row.agency),
    fromStop: optStr(row.from_stop),
    toStop: optStr(row.to_stop),
    start: num(row.start_at),
    end: row.end_at === null || row.end_at === undefined ? null : num(row.end_at),
    status: str(row.status) as ChargedLeg['status'],
    fareProductId: optStr(row.fare_product_id),
    category: str(row.category),
    baseMinor: num(row.base_minor),
    chargeMinor: num(row.charge_minor),
    currency: str(row.currency),
    subJourney: row.sub_journey === null || row.sub_journey === undefined ? null : num(row.sub_journey),
    explain: json<string[]>(row.explain),
    taps: json<ChargedLeg['taps']>(row.taps),
  };
}

function toUse(row: Row): TicketUse {
  return {
    device: str(row.device), seq: num(row.seq), ticketId: str(row.ticket_id), product: str(row.product), at: num(row.at),
    serviceDay: str(row.service_day), direction: str(row.direction) as TicketUse['direction'], stop: str(row.stop),
    network: str(row.network), agency: str(row.agency),
  };
}

const key = (account: unknown, day: unknown, version: unknown): string => `${str(account)}\u0000${str(day)}\u0000${num(version)}`;

/** Whether an error is a primary-key or unique violation, in either store. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class SqlClearing implements Omit<ClearingStore, 'withAccountLock'> {
  constructor(private readonly runner: () => SqlRunner) {}

  private async all(sql: string, values: unknown[]): Promise<Row[]> {
    const runner = this.runner();
    return runner.all(inDialect(sql, runner.dialect), values);
  }

  private async write(statements: SqlStatement[]): Promise<number[]> {
    const runner = this.runner();
    return runner.write(statements.map((s) => ({ sql: inDialect(s.sql, runner.dialect), values: s.values })));
  }

  private async ratings(account: string, fromDay: string, toDay: string, currentOnly: boolean): Promise<AccountDayRating[]> {
    const range = 'account = ? AND service_day >= ? AND service_day <= ?';
    const current = currentOnly ? ` AND ${IS_CURRENT('r')}` : '';
    const rows = await this.all(`SELECT * FROM fare_ratings r WHERE ${range}${current} ORDER BY service_day, version`, [account, fromDay, toDay]);
    if (rows.length === 0) return [];
    const legs = new Map<string, ChargedLeg[]>();
    const chargeCurrent = currentOnly ? ` AND ${IS_CURRENT('c')}` : '';
    for (const row of await this.all(`SELECT * FROM fare_charges c WHERE ${range}${chargeCurrent} ORDER BY leg_index`, [account, fromDay, toDay])) {
      const k = key(row.account, row.service_day, row.version);
      legs.set(k, [...(legs.get(k) ?? []), toLeg(row)]);
    }
    return rows.map((row) => ({
      account: str(row.account),
      serviceDay: str(row.service_day),
      version: num(row.version),
      ratedAt: num(row.rated_at),
      reason: str(row.reason),
      totalMinor: num(row.total_minor),
      currency: str(row.currency),
      legs: legs.get(key(row.account, row.service_day, row.version)) ?? [],
      flags: json<ClearingFlag[]>(row.flags),
    }));
  }

  currentRatings(account: string, fromDay: string, toDay: string): Promise<AccountDayRating[]> {
    return this.ratings(account, fromDay, toDay, true);
  }

  ratingHistory(account: string, fromDay: string, toDay: string): Promise<AccountDayRating[]> {
    return this.ratings(account, fromDay, toDay, false);
  }

  async insertRating(r: AccountDayRating): Promise<boolean> {
    const statements: SqlStatement[] = [
      {
        sql: 'INSERT INTO fare_ratings (account, service_day, version, rated_at, reason, total_minor, currency, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        values: [r.account, r.serviceDay, r.version, r.ratedAt, r.reason, r.totalMinor, r.currency, JSON.stringify(r.flags)],
      },
    ];
    for (let i = 0; i < r.legs.length; i += CHUNK) {
      const chunk = r.legs.slice(i, i + CHUNK);
      statements.push({ sql: `INSERT INTO fare_charges (${CHARGE_COLUMNS}) VALUES ${valuesList(chunk.length, 19)}`, values: chunk.flatMap((leg) => chargeValues(r, leg)) });
    }
    try {
      await this.write(statements);
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async chargeTotals(serviceDay: string): Promise<ChargeTotal[]> {
    const rows = await this.all(
      // From the day's current ratings (indexed by day) to their charges (by primary key).
      `SELECT c.agency, c.currency, SUM(c.charge_minor) AS charged, COUNT(*) AS legs, COUNT(DISTINCT c.account) AS accounts
       FROM fare_ratings r JOIN fare_charges c ON c.account = r.account AND c.service_day = r.service_day AND c.version = r.version
       WHERE r.service_day = ? AND ${IS_CURRENT('r')}
       GROUP BY c.agency, c.currency ORDER BY c.agency, c.currency`,
      [serviceDay],
    );
    return rows.map((row) => ({ agency: str(row.agency), currency: str(row.currency), chargedMinor: num(row.charged), legs: num(row.legs), accounts: num(row.accounts) }));
  }

  async ratingFlags(fromDay: string, toDay: string): Promise<ClearingFlag[]> {
    const rows = await this.all(
      `SELECT flags FROM fare_ratings r WHERE service_day >= ? AND service_day <= ? AND ${IS_CURRENT('r')} ORDER BY service_day, account`,
      [fromDay, toDay],
    );
    return rows.flatMap((row) => json<ClearingFlag[]>(row.flags));
  }

  async recordTicketUses(uses: TicketUse[]): Promise<number> {
    const statements: SqlStatement[] = [];
    for (let i = 0; i < uses.length; i += CHUNK) {
      const chunk = uses.slice(i, i + CHUNK);
      statements.push({
        sql: `INSERT INTO ticket_uses (${USE_COLUMNS}) VALUES ${valuesList(chunk.length, 10)} ON CONFLICT DO NOTHING`,
        values: chunk.flatMap((u) => [u.device, u.seq, u.ticketId, u.product, u.at, u.serviceDay, u.direction, u.stop, u.network, u.agency]),
      });
    }
    if (statements.length === 0) return 0;
    return (await this.write(statements)).reduce((sum, n) => sum + n, 0);
  }

  async usesOfTicketsUsedOn(serviceDay: string): Promise<TicketUse[]> {
    const rows = await this.all(
      `SELECT * FROM ticket_uses WHERE ticket_id IN (SELECT ticket_id FROM ticket_uses WHERE service_day = ?) ORDER BY ticket_id, at, device, seq`,
      [serviceDay],
    );
    return rows.map(toUse);
  }

  async ticketUses(ticketId: string): Promise<TicketUse[]> {
    return (await this.all('SELECT * FROM ticket_uses WHERE ticket_id = ? ORDER BY at, device, seq', [ticketId])).map(toUse);
  }

  async repeatedEntries(product: string, fromDay: string, toDay: string): Promise<TicketUse[]> {
    const rows = await this.all(
      `SELECT * FROM ticket_uses WHERE product = ? AND direction = 'in' AND ticket_id IN (
         SELECT ticket_id FROM ticket_uses WHERE product = ? AND direction = 'in' GROUP BY ticket_id HAVING COUNT(*) > 1)
       AND ticket_id IN (SELECT ticket_id FROM ticket_uses WHERE direction = 'in' AND service_day >= ? AND service_day <= ?)
       ORDER BY ticket_id, at, device, seq`,
      [product, product, fromDay, toDay],
    );
    return rows.map(toUse);
  }

  async recordLateArrivals(late: LateArrival[]): Promise<number> {
    const statements: SqlStatement[] = [];
    for (let i = 0; i < late.length; i += CHUNK) {
      const chunk = late.slice(i, i + CHUNK);
      statements.push({
        sql: `INSERT INTO late_arrivals (device, seq, at, received_at) VALUES ${valuesList(chunk.length, 4)} ON CONFLICT DO NOTHING`,
        values: chunk.flatMap((l) => [l.device, l.seq, l.at, l.receivedAt]),
      });
    }
    if (statements.length === 0) return 0;
    return (await this.write(statements)).reduce((sum, n) => sum + n, 0);
  }

  async lateSummary(from: number, until: number): Promise<LateSummary[]> {
    const rows = await this.all(
      `SELECT device, COUNT(*) AS n, MIN(seq) AS first_seq, MAX(seq) AS last_seq, MAX(received_at - at) AS max_delay
       FROM late_arrivals WHERE at >= ? AND at < ? GROUP BY device ORDER BY device`,
      [from, until],
    );
    return rows.map((row) => ({ device: str(row.device), count: num(row.n), firstSeq: num(row.first_seq), lastSeq: num(row.last_seq), maxDelayMs: num(row.max_delay) }));
  }

  async deviceRanges(from: number, until: number): Promise<DeviceRange[]> {
    const rows = await this.all(
      `SELECT device, MIN(seq) AS first_seq, MAX(seq) AS last_seq, COUNT(*) AS n FROM records WHERE at >= ? AND at < ? GROUP BY device ORDER BY device`,
      [from, until],
    );
    return rows.map((row) => ({ device: str(row.device), firstSeq: num(row.first_seq), lastSeq: num(row.last_seq), received: num(row.n) }));
  }
}
