/**
 * JSON schema pieces the routes share, and the conversions that go with them.
 * A `pattern` always comes with a `description` phrased to follow "must be":
 * the validation message quotes it (api-errors.ts) and OpenAPI shows it.
 */
import { parseIsoTimeMs } from '../../runtime/iso-time.ts';
import { errorSchema } from './api-errors.ts';
import { MAX_ZONE } from '../../protocol/uplink/tap-record.ts';

/** OpenAPI security requirement of the operator routes (the scheme is declared in build-api.ts). */
export const OPERATOR_SECURITY = [{ bearerAuth: [] }];

/** The error statuses every operator route may answer. */
export const operatorErrors = { 400: errorSchema, 401: errorSchema } as const;

export const isoTime = {
  type: 'string',
  format: 'date-time',
  description: 'an ISO 8601 time with a zone, e.g. 2026-01-01T08:00:00Z',
} as const;

/** Ticket ids (cti) are 8 to 16 bytes; the gateway issues 12. */
export const ticketIdSchema = {
  type: 'string',
  pattern: '^([0-9a-fA-F]{2}){8,16}$',
  description: '16 to 32 hex digits (a ticket id of 8 to 16 bytes)',
} as const;

/** A fare zone (bounded: a value the ledger can store and a ticket can carry). */
export const zoneSchema = { type: 'integer', minimum: 0, maximum: MAX_ZONE } as const;

/** Seqs and other counters in queries: whole numbers JavaScript holds exactly. */
export const safeUintSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** The same rule as protocol/mqtt/topics.ts isValidDeviceId: device ids become topic levels. */
export const deviceIdSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
  description: '1 to 64 of A-Z a-z 0-9 _ . -, starting with a letter or digit',
} as const;

export const holderKeySchema = {
  type: 'string',
  pattern: '^([0-9a-fA-F]{64}|[A-Za-z0-9_-]{43}=?)$',
  description: "the holder's raw 32-byte Ed25519 public key as 64 hex digits or 43 base64url characters",
} as const;

/** Decodes a value that matched holderKeySchema. */
export function holderKeyBytes(text: string): Uint8Array {
  const bytes = text.length === 64 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64url');
  return new Uint8Array(bytes);
}

/** Decodes a value that matched ticketIdSchema. */
export const ticketIdBytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

/** A date-time that passed the schema (runtime/iso-time.ts), as Unix milliseconds. */
export const isoToMs = (iso: string): number => parseIsoTimeMs(iso);
