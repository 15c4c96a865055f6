/**
 * pino JSON logs for the services. Ticket ids and codes never appear whole: they are
 * replaced by a short hash prefix, enough to correlate lines, useless to replay.
 *
 * Redaction is by field name, so the names are chosen not to collide with anything a
 * log line must keep: an error's `err.code` (ENOSPC, EIO) is what an operator needs to
 * see, so no bare `code` or `text` field is redacted — ticket texts go in `ticketText`
 * / `codeText`, never in a field of a generic name.
 */
import { createHash } from 'node:crypto';
import pino, { type Logger } from 'pino';

export function hashPrefix(value: unknown): string {
  return typeof value === 'string' ? `h:${createHash('sha256').update(value).digest('hex').slice(0, 10)}` : '[redacted]';
}

/** Fields that carry a ticket (its id, its scanned text, the holder's key). */
const TICKET_FIELDS = ['ticketId', 'ticketText', 'codeText', 'holderKey'];
/** Credentials. */
const CREDENTIAL_FIELDS = ['password', 'token'];

export const REDACTED_PATHS: readonly string[] = [...TICKET_FIELDS, ...CREDENTIAL_FIELDS].flatMap((field) => [field, `*.${field}`]);

export function createLogger(level: string, name: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, name, redact: { paths: [...REDACTED_PATHS], censor: hashPrefix } }, destination);
}
