/**
 * The JSON schema of the validator's configuration file. Ajv fills in the defaults
 * and reports every error at once (conventions: config is a schema).
 */
import { MODES } from '../../protocol/ticket/claims.ts';

const uint = { type: 'integer', minimum: 0 } as const;
const positive = { type: 'integer', minimum: 1 } as const;
const gpioOutput = {
  type: 'object',
  additionalProperties: false,
  required: ['line'],
  properties: { line: uint, activeLow: { type: 'boolean' }, safeOn: { type: 'boolean' } },
} as const;
const gpioInput = {
  type: 'object',
  additionalProperties: false,
  required: ['line'],
  properties: { line: uint, activeLow: { type: 'boolean' }, debounceMs: uint },
} as const;

const realHardware = {
  type: 'object',
  additionalProperties: false,
  required: ['gpio', 'qr', 'display'],
  properties: {
    gpio: {
      type: 'object',
      additionalProperties: false,
      required: ['outputs', 'inputs'],
      properties: {
        sysfsRoot: { type: 'string' },
        chipLabels: { type: 'array', items: { type: 'string' }, minItems: 1 },
        outputs: {
          type: 'object',
          additionalProperties: false,
          required: ['relay', 'greenLight', 'redLight', 'buzzer'],
          properties: { relay: gpioOutput, greenLight: gpioOutput, redLight: gpioOutput, buzzer: gpioOutput },
        },
        inputs: {
          type: 'object',
          additionalProperties: false,
          required: ['passage', 'emergency', 'doorForced'],
          properties: { passage: gpioInput, emergency: gpioInput, doorForced: gpioInput },
        },
      },
    },
    qr: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { enum: ['i2c', 'serial', 'stdin'] }, path: { type: 'string' } },
      if: { properties: { kind: { const: 'serial' } } },
      then: { required: ['kind', 'path'] },
    },
    display: { type: 'object', required: ['kind'], properties: { kind: { enum: ['lcd', 'none'] } } },
  },
} as const;

export const validatorConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['device', 'station', 'zone', 'mode', 'stateDir', 'rootPublicKeyFile', 'hardware'],
  properties: {
    device: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
    // A topic level of the station topic, like device ids.
    station: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
    zone: uint,
    mode: { enum: MODES },
    direction: { enum: ['entry', 'exit'], default: 'entry' },
    stateDir: { type: 'string', minLength: 1 },
    rootPublicKeyFile: { type: 'string', minLength: 1 },
    seedBundles: {
      type: 'object',
      additionalProperties: false,
      properties: { trustList: { type: 'string' }, denyList: { type: 'string' } },
      default: {},
    },
    hardware: { oneOf: [{ const: 'simulated' }, realHardware] },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^(mqtt|mqtts|tcp|tls|ws|wss)://' },
        username: { type: 'string' },
        password: { type: 'string' },
        passwordFile: { type: 'string' },
        tls: {
          type: 'object',
          additionalProperties: false,
          properties: { caFile: { type: 'string' }, certFile: { type: 'string' }, keyFile: { type: 'string' }, rejectUnauthorized: { type: 'boolean' } },
        },
        keepaliveSeconds: { ...positive, default: 30 },
        reconnectMinMs: { ...positive, default: 500 },
        reconnectMaxMs: { ...positive, default: 30_000 },
        batchMaxRecords: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
        batchMaxDelayMs: { ...uint, default: 100 },
        maxInFlightBatches: { ...positive, default: 4 },
        ackTimeoutMs: { ...positive, default: 10_000 },
        stateIntervalMs: { ...positive, default: 30_000 },
      },
    },
    journal: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        commitIntervalMs: { ...uint, default: 5 },
        segmentBytes: positive,
        backlogAlarmRecords: positive,
        backlogAlarmBytes: positive,
        ackPersistIntervalMs: positive,
        reserveBlock: { type: 'integer', minimum: 2 },
        // Records uncommitted longer than this take the gate out of service (issue 8).
        maxUncommittedMs: { type: 'integer', minimum: 1, default: 1000 },
      },
    },
    clock: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        trustSystemClock: { type: 'boolean', default: false },
        maxAnchorAgeHours: { type: 'number', exclusiveMinimum: 0, default: 24 },
        maxBeaconAheadSeconds: { type: 'number', exclusiveMinimum: 0, default: 300 },
        persistIntervalMs: { ...positive, default: 60_000 },
      },
    },
    fares: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        skewSeconds: { ...uint, default: 5 },
        codeWindowSeconds: { type: 'integer', minimum: 1, maximum: 60, default: 30 },
        passbackSeconds: { ...uint, default: 600 },
        exitGraceSeconds: { ...uint, default: 7200 },
        unanchoredClock: { enum: ['accept-flagged', 'reject'], default: 'accept-flagged' },
      },
    },
    passback: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        stationKeyFile: { type: 'string', minLength: 1 },
        rememberSingleHours: { type: 'number', exclusiveMinimum: 0, default: 24 },
      },
    },
    gate: { type: 'object', default: {} },
    http: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 } },
    },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
  },
} as const;
