/**
 * What the gates of one station tell each other about accepted entries, so a single
 * ticket or a passback cannot go through at the next gate (docs/protocol.md, station
 * topic). A ticket travels only as a keyed hash: HMAC-SHA256 with the station key over
 * the ticket id (its lowercase hex text), cut to 16 bytes. Anyone reading the topic without the key can neither
 * recover the id nor link a rider across stations keyed differently.
 */
import { createHmac } from 'node:crypto';
import { Ajv } from 'ajv';
import { parseJsonMessage } from './messages.ts';

/** At most this many entries per message; a burst of accepts is split. */
export const MAX_SHARED_ENTRIES = 100;
export const PASSBACK_KEY_HEX_LENGTH = 32;

export interface SharedEntry {
  /** The keyed hash of the ticket id (hex, 32 characters). */
  key: string;
  /** Gate time of the accept, Unix seconds. */
  at: number;
  /** A single-use ticket: blocked at every gate of the station from now on. */
  single: boolean;
}

export interface PassbackShare {
  v: 1;
  device: string;
  station: string;
  entries: SharedEntry[];
  /**
   * A request: the sender (just connected, e.g. after a restart) asks its peers for every
   * entry they remember at or after this time, Unix seconds. They answer with shares.
   */
  syncSince?: number;
}

const idPattern = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
/** Compiled below and published as it is in the AsyncAPI document (protocol/asyncapi). */
export const PASSBACK_SHARE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['v', 'device', 'station', 'entries'],
  properties: {
    v: { const: 1 },
    device: { type: 'string', pattern: idPattern },
    station: { type: 'string', pattern: idPattern },
    entries: {
      type: 'array',
      maxItems: MAX_SHARED_ENTRIES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'at', 'single'],
        properties: {
          key: { type: 'string', pattern: `^[0-9a-f]{${PASSBACK_KEY_HEX_LENGTH}}$` },
          at: { type: 'integer', minimum: 0 },
          single: { type: 'boolean' },
        },
      },
    },
    syncSince: { type: 'integer', minimum: 0 },
  },
} as const;

const validateShare = new Ajv({ allErrors: true }).compile<PassbackShare>(PASSBACK_SHARE_SCHEMA);

export const parsePassbackShare = (payload: Uint8Array | string): PassbackShare => parseJsonMessage(validateShare, payload, 'passback share');

export function encodePassbackShare(share: PassbackShare): Buffer {
  return Buffer.from(JSON.stringify(share));
}

/** The keyed hash of a ticket id (hex) under a station key: what leaves the gate instead of the id. */
export function passbackKey(stationKey: Uint8Array, ticketIdHex: string): string {
  return createHmac('sha256', stationKey).update(ticketIdHex).digest('hex').slice(0, PASSBACK_KEY_HEX_LENGTH);
}
