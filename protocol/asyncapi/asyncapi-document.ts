/**
 * The MQTT protocol as an AsyncAPI 3.0 document, built from the code's own contract: topic
 * addresses from topics.ts, JSON payload schemas from the very objects the validators
 * compile (messages.ts, station-passback.ts), bundle payloads from bundle-schemas.ts (checked
 * against real signed bundles by the tests). Operations are from the gate's point of view:
 * `send` = the gate publishes, `receive` = the gate subscribes. docs/protocol.md has the rules.
 */
import { MAX_BATCH_RECORDS, MESSAGE_SCHEMAS, PROTOCOL_VERSION } from '../mqtt/messages.ts';
import { MAX_SHARED_ENTRIES, PASSBACK_SHARE_SCHEMA } from '../mqtt/station-passback.ts';
import { BUNDLE_KINDS, TOPIC_ROOT, type BundleKind } from '../mqtt/topics.ts';
import { BUNDLE_PAYLOAD_SCHEMAS, COSE_SIGN1_ENVELOPE_SCHEMA, type BundlePayloadName } from './bundle-schemas.ts';

export type AsyncApiDocument = Record<string, unknown> & { asyncapi: '3.0.0' };

type Param = 'device' | 'station';

interface MessageSpec {
  title: string;
  summary: string;
  /** A JSON payload: the name of its schema in components.schemas. */
  json?: 'TapBatch' | 'BatchAck' | 'DeviceState' | 'PassbackShare';
  /** A signed bundle: the name of its decoded payload schema. */
  bundle?: BundlePayloadName;
}

interface ChannelSpec {
  id: string;
  address: string;
  params: Param[];
  description: string;
  message: string;
  qos: 0 | 1;
  retain: boolean;
  /** What the gate does on it; 'both' = it publishes and subscribes (station peers). */
  gate: 'send' | 'receive' | 'both';
}

const ID_RULE = '1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit (one topic level, no wildcards)';
const PARAMETERS: Record<Param, { description: string; examples: string[] }> = {
  device: { description: `Device id of the gate (its MQTT username). ${ID_RULE}.`, examples: ['gate-1'] },
  station: { description: `Station id the gate is registered at. ${ID_RULE}.`, examples: ['S1'] },
};

const MESSAGES: Record<string, MessageSpec> = {
  tapBatch: {
    title: 'Tap batch',
    json: 'TapBatch',
    summary: `Journal records with consecutive seqs firstSeq..lastSeq of one device, oldest first, 1 to ${MAX_BATCH_RECORDS} records. Re-sent until acknowledged; a re-send is a no-op at the gateway.`,
  },
  batchAck: {
    title: 'Batch ack',
    json: 'BatchAck',
    summary:
      'Sent only after the commit. ackedThrough includes its own seq: every record up to and including it is committed (or covered by a declared loss). ' +
      'Acks of several batches may be merged into one. status rejected: the batch was not stored, reason says why, the gate keeps the records. ' +
      'reason seq_conflict with conflicts and highestSeq: those seqs are held with other content; they count as delivered and the gate moves above highestSeq.',
  },
  deviceState: { title: 'Device state', json: 'DeviceState', summary: 'Retained; online:false is also the last will.' },
  passbackShare: {
    title: 'Passback share',
    json: 'PassbackShare',
    summary: `Up to ${MAX_SHARED_ENTRIES} accepted entries as keyed hashes (HMAC-SHA256 under the station key over the ticket id's lowercase hex, first 16 bytes, hex); with syncSince it is a request for peers' entries since then.`,
  },
  trustList: { title: 'Trust list', bundle: 'TrustListPayload', summary: 'The issuer keys gates accept tickets from.' },
  denyList: { title: 'Deny list', bundle: 'DenyListPayload', summary: 'First 8 bytes of SHA-256("faregate/deny/cti\\0" || ticket id bytes) or SHA-256("faregate/deny/holder\\0" || holder public key), sorted.' },
  denyDelta: { title: 'Deny list delta', bundle: 'DenyDeltaPayload', summary: 'Cumulative from the retained full list (base). An empty retained message clears it when a new full list is published.' },
  fareSettings: { title: 'Fare settings', bundle: 'FareSettingsPayload', summary: 'The settings the ticket check obeys.' },
  gateCommand: { title: 'Gate command', bundle: 'GateCommandPayload', summary: 'For one device; ver is a millisecond timestamp. Withdrawn (empty retained message) once older than the gateway commandTtlMs.' },
  clockReset: { title: 'Clock reset', bundle: 'ClockResetPayload', summary: 'Fleet-wide; a gate applies each version once.' },
  timeBeacon: { title: 'Time beacon', bundle: 'TimeBeaconPayload', summary: 'The gateway time (ver, Unix ms), every few seconds; never retained.' },
};

const BUNDLE_MESSAGE: Record<BundleKind, string> = { trust: 'trustList', deny: 'denyList', 'deny-delta': 'denyDelta', fares: 'fareSettings' };

const deviceTopic = (leaf: string): string => `${TOPIC_ROOT}/devices/{device}/${leaf}`;

const CHANNELS: ChannelSpec[] = [
  { id: 'taps', address: deviceTopic('taps'), params: ['device'], description: 'Uplink of journal records.', message: 'tapBatch', qos: 1, retain: false, gate: 'send' },
  { id: 'state', address: deviceTopic('state'), params: ['device'], description: 'What the gate reports about itself.', message: 'deviceState', qos: 1, retain: true, gate: 'send' },
  { id: 'ack', address: deviceTopic('ack'), params: ['device'], description: 'Application acks of tap batches.', message: 'batchAck', qos: 1, retain: false, gate: 'receive' },
  { id: 'command', address: deviceTopic('command'), params: ['device'], description: "The gate's newest pending command.", message: 'gateCommand', qos: 1, retain: true, gate: 'receive' },
  ...BUNDLE_KINDS.map((kind): ChannelSpec => ({
    id: `bundle-${kind}`,
    address: `${TOPIC_ROOT}/bundles/${kind}`,
    params: [],
    description: `Signed ${kind} bundle, fleet-wide.`,
    message: BUNDLE_MESSAGE[kind],
    qos: 1,
    retain: true,
    gate: 'receive',
  })),
  { id: 'clock-reset', address: `${TOPIC_ROOT}/bundles/clock-reset`, params: [], description: 'Signed clock reset, fleet-wide.', message: 'clockReset', qos: 1, retain: true, gate: 'receive' },
  { id: 'time', address: `${TOPIC_ROOT}/time`, params: [], description: 'Signed time beacons.', message: 'timeBeacon', qos: 0, retain: false, gate: 'receive' },
  {
    id: 'station-passback',
    address: `${TOPIC_ROOT}/stations/{station}/passback`,
    params: ['station'],
    description: 'Accepted entries shared between the gates of one station; a gate may use only the station it is registered at.',
    message: 'passbackShare',
    qos: 1,
    retain: false,
    gate: 'both',
  },
];

const ref = (pointer: string): { $ref: string } => ({ $ref: pointer });
const mqttOperationBinding = (channel: ChannelSpec) => ({ mqtt: { qos: channel.qos, retain: channel.retain, bindingVersion: '0.2.0' } });

function message(name: string, spec: MessageSpec): Record<string, unknown> {
  const common = { name, title: spec.title, summary: spec.summary };
  if (spec.json) return { ...common, contentType: 'application/json', payload: ref(`#/components/schemas/${spec.json}`) };
  return {
    ...common,
    contentType: 'application/cose; cose-type="cose-sign1"',
    payload: ref('#/components/schemas/CoseSign1'),
    'x-decoded-payload': ref(`#/components/schemas/${spec.bundle ?? ''}`),
  };
}

function channel(spec: ChannelSpec): Record<string, unknown> {
  return {
    address: spec.address,
    description: spec.description,
    messages: { [spec.message]: ref(`#/components/messages/${spec.message}`) },
    ...(spec.params.length > 0 && { parameters: Object.fromEntries(spec.params.map((param) => [param, ref(`#/components/parameters/${param}`)])) }),
  };
}

function operations(): Record<string, unknown> {
  const entries = CHANNELS.flatMap((spec) => (spec.gate === 'both' ? (['send', 'receive'] as const) : [spec.gate]).map((action) => [`${action}-${spec.id}`, spec, action] as const));
  return Object.fromEntries(
    entries.map(([id, spec, action]) => [
      id,
      {
        action,
        summary: `The gate ${action === 'send' ? 'publishes' : 'subscribes to'} ${spec.address} (QoS ${spec.qos}${spec.retain ? ', retained' : ''}).`,
        channel: ref(`#/channels/${spec.id}`),
        messages: [ref(`#/channels/${spec.id}/messages/${spec.message}`)],
        bindings: mqttOperationBinding(spec),
      },
    ]),
  );
}

const SERVER_DESCRIPTION =
  'The gateway\'s embedded broker speaks MQTT 3.1.1 only (a CONNECT of MQTT 5 is refused). Username = the device id, password = the ' +
  'device password from its registration (POST /api/devices). The client id must be faregate-{device}. A publish or subscribe the ACL ' +
  'refuses, or a packet over the size limit, ends the connection. clean session; last will = the state topic, QoS 1, retained, online:false.';

/**
 * The code's schema in AsyncAPI's dialect: ajv's `discriminator: { propertyName }` is
 * AsyncAPI's `discriminator: propertyName` (an annotation; each oneOf branch's `const` kind
 * does the selecting either way). Everything else is JSON Schema draft-07 as it stands.
 */
export function asAsyncApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(asAsyncApiSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => {
      const propertyName = (value as { propertyName?: unknown } | null)?.propertyName;
      return key === 'discriminator' && typeof propertyName === 'string' ? [key, propertyName] : [key, asAsyncApiSchema(value)];
    }),
  );
}

export function buildAsyncApiDocument(): AsyncApiDocument {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Faregate MQTT protocol',
      version: `${PROTOCOL_VERSION}.0.0`,
      description:
        'The contract between fare gates (validators) and the fare-clearing gateway. Operations are from the gate\'s point of view. ' +
        'Every rule (sequence numbers, acks, losses, bundles, clocks) is in docs/protocol.md; this document is generated from the code\'s own schemas.',
    },
    defaultContentType: 'application/json',
    servers: {
      gateway: {
        host: '{gateway}:{port}',
        protocol: 'mqtt',
        protocolVersion: '3.1.1',
        description: SERVER_DESCRIPTION,
        variables: { gateway: { description: 'Host of the gateway (or of the MQTT broker it uses).' }, port: { default: '1883', description: 'mqtts when the broker has TLS configured.' } },
        security: [ref('#/components/securitySchemes/deviceCredentials')],
        bindings: { mqtt: { cleanSession: true, bindingVersion: '0.2.0' } },
      },
    },
    channels: Object.fromEntries(CHANNELS.map((spec) => [spec.id, channel(spec)])),
    operations: operations(),
    components: {
      schemas: {
        TapBatch: asAsyncApiSchema(MESSAGE_SCHEMAS.batch),
        BatchAck: asAsyncApiSchema(MESSAGE_SCHEMAS.ack),
        DeviceState: asAsyncApiSchema(MESSAGE_SCHEMAS.state),
        PassbackShare: asAsyncApiSchema(PASSBACK_SHARE_SCHEMA),
        CoseSign1: COSE_SIGN1_ENVELOPE_SCHEMA,
        ...BUNDLE_PAYLOAD_SCHEMAS,
      },
      messages: Object.fromEntries(Object.entries(MESSAGES).map(([name, spec]) => [name, message(name, spec)])),
      parameters: PARAMETERS,
      securitySchemes: { deviceCredentials: { type: 'userPassword', description: 'Username = device id; password = the device password.' } },
    },
  };
}
