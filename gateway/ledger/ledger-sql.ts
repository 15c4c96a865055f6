/**
 * SQL text that both dialects share. SQLite and PostgreSQL differ here only in
 * placeholders (`?` against `$1`), so builders take a `Params` that hands out
 * placeholders in order and collects the values.
 */
import { LedgerInputError } from './ingest-plan.ts';
import type { FareQuery, TapQuery } from './ledger.ts';

/** Collects bind values; `add` returns the placeholder for the value. */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: 'sqlite' | 'postgres') {}

  add(value: unknown): string {
    this.values.push(value);
    return this.dialect === 'sqlite' ? '?' : `$${this.values.length}`;
  }
}

export const MAX_LIMIT = 10_000;

export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new LedgerInputError('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  }
}

/**
 * Missing seq ranges: for each device, the records above its watermark plus the
 * watermark itself as a sentinel, paired with the next seq (LEAD); wherever the
 * next one is more than one ahead, the numbers between are a gap. Reads only the
 * rows above the watermark, which out-of-order delivery keeps few.
 */
export function gapsSql(params: Params, device?: string): string {
  // A function, not a string: the filter appears twice and SQLite's `?` needs a value each time.
  const only = (): string => (device === undefined ? '' : ` AND p.device = ${params.add(device)}`);
  return `
    WITH points AS (
      SELECT p.device, p.contiguous_through AS seq FROM device_progress p
        WHERE p.contiguous_through < p.highest_seq${only()}
      UNION ALL
      SELECT r.device, r.seq FROM records r JOIN device_progress p ON p.device = r.device
        WHERE r.seq > p.contiguous_through AND p.contiguous_through < p.highest_seq${only()}
    ), paired AS (
      SELECT device, seq, LEAD(seq) OVER (PARTITION BY device ORDER BY seq) AS next_seq FROM points
    )
    SELECT device, seq + 1 AS from_seq, next_seq - 1 AS to_seq FROM paired
      WHERE next_seq > seq + 1 ORDER BY device, from_seq`;
}

type TimeCursor = [at: number, device: string, seq: number];

function encodeCursor(key: number | TimeCursor): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, byDevice: boolean): number | TimeCursor {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new LedgerInputError('cursor', 'is not a cursor this ledger issued');
  }
  if (byDevice && Number.isSafeInteger(key)) return key as number;
  if (
    !byDevice &&
    Array.isArray(key) &&
    key.length === 3 &&
    Number.isSafeInteger(key[0]) &&
    typeof key[1] === 'string' &&
    Number.isSafeInteger(key[2])
  ) {
    return key as TimeCursor;
  }
  throw new LedgerInputError('cursor', 'does not belong to a query of this shape (with or without device)');
}

/** The SELECT for `taps()`: one more row than the limit tells whether a next page exists. */
export function tapsSql(params: Params, query: TapQuery): string {
  checkLimit(query.limit);
  const byDevice = query.device !== undefined;
  const where: string[] = [];
  if (query.device !== undefined) where.push(`device = ${params.add(query.device)}`);
  if (query.station !== undefined) where.push(`station = ${params.add(query.station)}`);
  if (query.ticketId !== undefined) where.push(`ticket_id = ${params.add(query.ticketId)}`);
  if (query.kind !== undefined) where.push(`kind = ${params.add(query.kind)}`);
  if (query.from !== undefined) where.push(`at >= ${params.add(query.from)}`);
  if (query.until !== undefined) where.push(`at < ${params.add(query.until)}`);
  if (query.afterSeq !== undefined) {
    if (!byDevice) throw new LedgerInputError('afterSeq', 'needs device (seq numbers are per device)');
    where.push(`seq > ${params.add(query.afterSeq)}`);
  }
  if (query.cursor !== undefined) {
    const key = decodeCursor(query.cursor, byDevice);
    if (typeof key === 'number') where.push(`seq > ${params.add(key)}`);
    else where.push(`(at, device, seq) > (${params.add(key[0])}, ${params.add(key[1])}, ${params.add(key[2])})`);
  }
  const order = byDevice ? 'seq' : 'at, device, seq';
  const filter = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  return `SELECT device, seq, at, record FROM records ${filter} ORDER BY ${order} LIMIT ${params.add(query.limit + 1)}`;
}

/** Trims the extra row and makes the cursor of the last row kept. */
export function tapsPage<R extends { device: string; seq: number; at: number }>(
  rows: R[],
  query: TapQuery,
): { rows: R[]; nextCursor: string | null } {
  if (rows.length <= query.limit) return { rows, nextCursor: null };
  const kept = rows.slice(0, query.limit);
  const last = kept[kept.length - 1]!; // limit >= 1, so kept is not empty
  const key = query.device !== undefined ? last.seq : ([last.at, last.device, last.seq] as TimeCursor);
  return { rows: kept, nextCursor: encodeCursor(key) };
}

/** FROM/WHERE shared by `fares()` and `fareTotal()`: fares joined to their taps' gate time. */
export function faresFromSql(params: Params, query: Omit<FareQuery, 'limit'>): string {
  const where: string[] = [];
  if (query.operator !== undefined) where.push(`f.operator = ${params.add(query.operator)}`);
  if (query.currency !== undefined) where.push(`f.currency = ${params.add(query.currency)}`);
  if (query.from !== undefined) where.push(`r.at >= ${params.add(query.from)}`);
  if (query.until !== undefined) where.push(`r.at < ${params.add(query.until)}`);
  const filter = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  return `FROM fares f JOIN records r ON r.device = f.tap_device AND r.seq = f.tap_seq ${filter}`;
}

export function faresSql(params: Params, query: FareQuery): string {
  checkLimit(query.limit);
  const from = faresFromSql(params, query);
  return `SELECT f.tap_device, f.tap_seq, f.amount_cents, f.currency, f.operator, f.computed_at ${from}
    ORDER BY r.at, f.tap_device, f.tap_seq LIMIT ${params.add(query.limit)}`;
}
