/**
 * Rows to ledger types, for both dialects. The stores differ in three ways the
 * mappers absorb: JSON columns come back as text (SQLite) or parsed (PostgreSQL
 * jsonb); booleans as 0/1 or true/false; bytes as a Buffer, copied to a plain
 * Uint8Array so callers compare equal whichever store they use. Integers are
 * numbers in both (the PostgreSQL pool parses int8, see postgres-ledger.ts).
 */
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import type {
  ApiToken,
  AppliedMigration,
  DeclaredLoss,
  Device,
  DeviceProgress,
  DeviceState,
  Fare,
  PublishedBundle,
  RecordConflict,
  Settlement,
  StoredTicket,
} from './ledger.ts';

/** A row as a driver returns it; each mapper knows its columns. */
export type Row = Record<string, unknown>;

/** The ledger wrote these columns itself, so their shape is trusted, not re-validated. */
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

const num = (value: unknown): number => Number(value);
const str = (value: unknown): string => String(value);

export function toRecord(row: Row): JournalRecord {
  return json<JournalRecord>(row.record);
}

export function toLoss(row: Row): DeclaredLoss {
  return {
    device: str(row.device),
    fromSeq: num(row.from_seq),
    toSeq: num(row.to_seq),
    reason: str(row.reason) as DeclaredLoss['reason'],
    declaredSeq: num(row.declared_seq),
    at: num(row.at),
  };
}

export function toConflict(row: Row): RecordConflict {
  return {
    device: str(row.device),
    seq: num(row.seq),
    stored: json<JournalRecord>(row.stored),
    refused: json<JournalRecord>(row.refused),
    receivedAt: num(row.received_at),
  };
}

export function toProgress(device: string, row: Row | undefined): DeviceProgress {
  if (row === undefined) return { device, contiguousThrough: 0, highestSeq: 0, updatedAt: null };
  return {
    device,
    contiguousThrough: num(row.contiguous_through),
    highestSeq: num(row.highest_seq),
    updatedAt: num(row.updated_at),
  };
}

export function toDevice(row: Row): Device {
  return {
    id: str(row.id),
    station: str(row.station),
    zone: num(row.zone),
    mode: str(row.mode) as Device['mode'],
    direction: str(row.direction) as Device['direction'],
    credentialHash: str(row.credential_hash),
    createdAt: num(row.created_at),
    state: json<DeviceState>(row.state),
    ...(row.stop_id != null && { fareStop: str(row.stop_id) }),
    ...(row.network_id != null && { fareNetwork: str(row.network_id) }),
  };
}

export function toBundle(row: Row): PublishedBundle {
  return {
    type: str(row.type),
    version: num(row.version),
    bytes: new Uint8Array(row.bytes as Uint8Array),
    publishedAt: num(row.published_at),
  };
}

export function toTicket(row: Row): StoredTicket {
  const ticket: StoredTicket = {
    ticketId: str(row.ticket_id),
    product: str(row.product) as StoredTicket['product'],
    fareClass: str(row.fare_class) as StoredTicket['fareClass'],
    zones: json<number[]>(row.zones),
    modes: json<StoredTicket['modes']>(row.modes),
    nbf: num(row.nbf),
    exp: num(row.exp),
    text: str(row.text),
    issuedAt: num(row.issued_at),
  };
  if (row.holder_key_hex !== null && row.holder_key_hex !== undefined) ticket.holderKeyHex = str(row.holder_key_hex);
  if (row.fare_product_id != null) ticket.fareProductId = str(row.fare_product_id);
  if (row.price_minor != null) ticket.priceMinor = num(row.price_minor);
  if (row.currency != null) ticket.currency = str(row.currency);
  if (row.qr_secret_hash != null) ticket.qrSecretHash = str(row.qr_secret_hash);
  return ticket;
}

export function toApiToken(row: Row): ApiToken {
  const scopes = str(row.scopes).split(',').filter((scope) => scope !== '');
  return { id: str(row.id), name: str(row.name), tokenHash: str(row.token_hash), scopes, createdAt: num(row.created_at) };
}

export function toFare(row: Row): Fare {
  return {
    tapDevice: str(row.tap_device),
    tapSeq: num(row.tap_seq),
    amountCents: num(row.amount_cents),
    currency: str(row.currency),
    operator: str(row.operator),
    computedAt: num(row.computed_at),
  };
}

export function toSettlement(row: Row): Settlement {
  return {
    id: str(row.id),
    operator: str(row.operator),
    currency: str(row.currency),
    periodStart: num(row.period_start),
    periodEnd: num(row.period_end),
    totalCents: num(row.total_cents),
    fareCount: num(row.fare_count),
    createdAt: num(row.created_at),
  };
}

export function toMigration(row: Row): AppliedMigration {
  return { version: num(row.version), name: str(row.name), appliedAt: num(row.applied_at) };
}

/** Values for INSERTs, in the column order of the schemas' tables. */
export const deviceValues = (d: Device): unknown[] => [
  d.id, d.station, d.zone, d.mode, d.direction, d.credentialHash, d.createdAt, JSON.stringify(d.state), d.fareStop ?? null, d.fareNetwork ?? null,
];

export const ticketValues = (t: StoredTicket): unknown[] => [
  t.ticketId, t.product, t.fareClass, JSON.stringify(t.zones), JSON.stringify(t.modes),
  t.nbf, t.exp, t.holderKeyHex ?? null, t.text, t.issuedAt, t.fareProductId ?? null, t.priceMinor ?? null, t.currency ?? null,
  t.qrSecretHash ?? null,
];

export const fareValues = (f: Fare): unknown[] => [
  f.tapDevice, f.tapSeq, f.amountCents, f.currency, f.operator, f.computedAt,
];

export const settlementValues = (s: Settlement): unknown[] => [
  s.id, s.operator, s.currency, s.periodStart, s.periodEnd, s.totalCents, s.fareCount, s.createdAt,
];
