/**
 * pino JSON logs for the services. Ticket ids and codes never appear whole: they are
 * replaced by a short hash prefix, enough to correlate lines, useless to replay.
 */
import { createHash } from 'node:crypto';
import pino, { type Logger } from 'pino';

export function hashPrefix(value: unknown): string {
  return typeof value === 'string' ? `h:${createHash('sha256').update(value).digest('hex').slice(0, 10)}` : '[redacted]';
}

const SECRET_FIELDS = ['ticketId', 'code', 'text', 'password', 'token'];

export function createLogger(level: string, name: string, destination?: pino.DestinationStream): Logger {
  const paths = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]);
  return pino({ level, name, redact: { paths, censor: hashPrefix } }, destination);
}
