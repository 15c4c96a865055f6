/**
 * The JSON payloads of the MQTT contract and their schemas. Every incoming payload
 * is validated here before use; a failure names the field and why.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { GATE_EVENTS, LOSS_REASONS, MAX_ZONE, type JournalRecord } from '../uplink/tap-record.ts';
import { FARE_CLASSES, MODES, PRODUCTS } from '../ticket/claims.ts';
import { parseBoundedJson, type JsonBounds } from './bounded-json.ts';

export const PROTOCOL_VERSION = 1;
/** The most records one batch may carry; keeps a message well under broker limits. */
export const MAX_BATCH_RECORDS = 1000;
/**
 * The largest tap batch payload: 1,000 records of the largest shape the schema allows
 * (an event whose 256-character detail is all JSON escapes) fit; typical taps take ~350 bytes each.
 */
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Every other message (acks, device state) is small. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** The deepest nesting any message has (an ack's `missing` ranges: object, array, array). */
export const MAX_MESSAGE_DEPTH = 4;

/** A run of journal records with consecutive seqs firstSeq..lastSeq, oldest first. */
export interface TapBatch {
  v: 1;
  device: string;
  firstSeq: number;
  lastSeq: number;
  records: JournalRecord[];
}

/** The gateway's application ack: everything up to `ackedThrough` is committed. */
export interface BatchAck {
  v: 1;
  device: string;
  /** Highest contiguous sequence number committed for the device (0 = none). */
  ackedThrough: number;
  /** 'rejected' = the batch was invalid and was not stored; `reason` says why. */
  status: 'ok' | 'rejected';
  reason?: string;
  /** Sequence ranges the gateway is missing below the highest seq it holds (declared losses excluded). */
  missing?: Array<[number, number]>;
  /**
   * Seq ranges of the batch the gateway refused because it already holds a record
   * with that (device, seq) and other content. It keeps both for an operator (nothing
   * is dropped) and raises an alarm; `reason` is then 'seq_conflict'. The seqs count as
   * delivered: the device must not send them again, and must never reuse them.
   */
  conflicts?: Array<[number, number]>;
  /** The highest seq the gateway holds for the device; sent with conflicts. */
  highestSeq?: number;
}

/** What a validator reports about itself (retained; `online: false` is its last will). */
export interface DeviceState {
  v: 1;
  device: string;
  online: boolean;
  at: number;
  station?: string;
  gate?: string;
  clockAnchored?: boolean;
  backlog?: number;
  backlogAlarm?: boolean;
  /** Why the journal keeps the gate out of service (absent while it is healthy). */
  journalFault?: string;
  bundles?: { trust?: number; deny?: number; fares?: number; command?: number };
}

/** Whole numbers JavaScript holds exactly: seqs and times. */
const uint = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const seq = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const deviceId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } as const;

const recordBase = {
  device: deviceId,
  seq,
  at: uint,
  clockTrusted: { type: 'boolean' },
  station: { type: 'string', minLength: 1, maxLength: 64 },
  zone: { type: 'integer', minimum: 0, maximum: MAX_ZONE },
  mode: { enum: MODES },
  direction: { enum: ['entry', 'exit'] },
} as const;
const baseRequired = ['kind', 'device', 'seq', 'at', 'clockTrusted', 'station', 'zone', 'mode', 'direction'];

const recordSchema = {
  type: 'object',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: [
    {
      properties: {
        kind: { const: 'tap' },
        ...recordBase,
        decision: { enum: ['accept', 'reject'] },
        reason: { type: 'string', maxLength: 64 },
        ticketId: { type: 'string', pattern: '^[0-9a-f]{16,32}$' },
        product: { enum: PRODUCTS },
        fareClass: { enum: FARE_CLASSES },
        kid: { type: 'string', pattern: '^[0-9a-f]{16}$' },
        level: { enum: [1, 2] },
      },
      required: [...baseRequired, 'decision', 'reason'],
      additionalProperties: false,
    },
    {
      properties: { kind: { const: 'passage' }, ...recordBase, tapSeq: seq, outcome: { enum: ['passed', 'not-used'] } },
      required: [...baseRequired, 'tapSeq', 'outcome'],
      additionalProperties: false,
    },
    {
      properties: { kind: { const: 'event' }, ...recordBase, event: { enum: GATE_EVENTS }, detail: { type: 'string', maxLength: 256 } },
      required: [...baseRequired, 'event'],
      additionalProperties: false,
    },
    {
      properties: { kind: { const: 'loss' }, ...recordBase, from: seq, to: seq, reason: { enum: LOSS_REASONS } },
      required: [...baseRequired, 'from', 'to', 'reason'],
      additionalProperties: false,
    },
  ],
} as const;

const batchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['v', 'device', 'firstSeq', 'lastSeq', 'records'],
  properties: {
    v: { const: 1 },
    device: deviceId,
    firstSeq: seq,
    lastSeq: seq,
    records: { type: 'array', minItems: 1, maxItems: MAX_BATCH_RECORDS, items: recordSchema },
  },
} as const;

const ackSchema = {
  type: 'object',
  required: ['v', 'device', 'ackedThrough', 'status'],
  properties: {
    v: { const: 1 },
    device: deviceId,
    ackedThrough: uint,
    status: { enum: ['ok', 'rejected'] },
    reason: { type: 'string' },
    missing: { type: 'array', items: { type: 'array', items: uint, minItems: 2, maxItems: 2 } },
    conflicts: { type: 'array', items: { type: 'array', items: uint, minItems: 2, maxItems: 2 } },
    highestSeq: uint,
  },
} as const;

const stateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['v', 'device', 'online', 'at'],
  properties: {
    v: { const: 1 },
    device: deviceId,
    online: { type: 'boolean' },
    at: uint,
    station: { type: 'string', maxLength: 64 },
    gate: { type: 'string', maxLength: 64 },
    clockAnchored: { type: 'boolean' },
    backlog: uint,
    backlogAlarm: { type: 'boolean' },
    journalFault: { type: 'string', maxLength: 512 },
    bundles: { type: 'object', maxProperties: 8, additionalProperties: uint },
  },
} as const;

const ajv = new Ajv({ allErrors: true, discriminator: true });
/** The schemas the validators below compile, published as they are in the AsyncAPI document (protocol/asyncapi). */
export const MESSAGE_SCHEMAS = { batch: batchSchema, ack: ackSchema, state: stateSchema } as const;

const validators = {
  batch: ajv.compile<TapBatch>(batchSchema),
  ack: ajv.compile<BatchAck>(ackSchema),
  state: ajv.compile<DeviceState>(stateSchema),
};

export class MessageError extends Error {}

/** The first few problems, by field; a batch of 1,000 bad records must not make a 100 KB log line. */
export function describeErrors(errors: ErrorObject[] | null | undefined, max = 5): string {
  const all = (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
  const shown = all.slice(0, max).join('; ');
  return all.length > max ? `${shown}; and ${all.length - max} more` : shown;
}

const SMALL_MESSAGE: JsonBounds = { maxBytes: MAX_MESSAGE_BYTES, maxDepth: MAX_MESSAGE_DEPTH };

/** Parses bounded JSON and checks it against a compiled schema; a failure names the field. */
export function parseJsonMessage<T>(validate: ValidateFunction<T>, payload: Uint8Array | string, what: string, bounds: JsonBounds = SMALL_MESSAGE): T {
  const parsed = parseBoundedJson(payload, bounds);
  if ('problem' in parsed) throw new MessageError(`${what}: ${parsed.problem}`);
  const { value } = parsed;
  if (!validate(value)) throw new MessageError(`${what}: ${describeErrors(validate.errors)}`);
  return value;
}

/** Validates a batch, including what a schema cannot say: consecutive seqs of the batch's device. */
export function parseTapBatch(payload: Uint8Array | string): TapBatch {
  const batch = parseJsonMessage(validators.batch, payload, 'tap batch', { maxBytes: MAX_BATCH_BYTES, maxDepth: MAX_MESSAGE_DEPTH });
  if (batch.lastSeq - batch.firstSeq + 1 !== batch.records.length) {
    throw new MessageError('tap batch: firstSeq..lastSeq does not match the number of records');
  }
  batch.records.forEach((record, index) => {
    if (record.device !== batch.device) throw new MessageError(`tap batch: /records/${index}/device is not the batch's device`);
    if (record.seq !== batch.firstSeq + index) throw new MessageError(`tap batch: /records/${index}/seq is not consecutive`);
    if (record.kind === 'loss' && !(record.from <= record.to && record.to < record.seq)) {
      throw new MessageError(`tap batch: /records/${index} must declare a loss from <= to below its own seq`);
    }
  });
  return batch;
}

export const parseBatchAck = (payload: Uint8Array | string): BatchAck => parseJsonMessage(validators.ack, payload, 'batch ack');
export const parseDeviceState = (payload: Uint8Array | string): DeviceState => parseJsonMessage(validators.state, payload, 'device state');

export function encodeMessage(message: TapBatch | BatchAck | DeviceState): Buffer {
  return Buffer.from(JSON.stringify(message));
}
