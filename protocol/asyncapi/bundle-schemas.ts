/**
 * JSON Schemas of the decoded payloads of the signed bundles (protocol/bundles), for the
 * AsyncAPI document. The bundles are CBOR, read field by field by hand-written code, so
 * these cannot be the validators' own schemas: asyncapi-document.test.ts signs real bundles
 * with the code's own signers and checks them against these, so the two cannot drift apart.
 *
 * Shown as JSON with one convention: a CBOR map is an object, a CBOR byte string (bstr) is
 * its bytes as lowercase hex text (`bundleAsJson` below is that mapping).
 */
import { CLOCK_RESET_TYPE, MAX_CLOCK_RESET_REASON } from '../bundles/clock-reset.ts';
import { MAX_CODE_WINDOW_SECONDS } from '../bundles/check-settings.ts';
import { DENY_DELTA_TYPE, DENY_LIST_TYPE } from '../bundles/deny-list.ts';
import { COMMAND_TYPE, FARES_TYPE, GATE_COMMANDS, TIME_TYPE } from '../bundles/downlink-bundles.ts';
import { ROOT_ONLY_TYPES, SIGNING_CERT_TYPE } from '../bundles/signed-bundle.ts';
import { TRUST_LIST_TYPE } from '../bundles/trust-list.ts';
import { PRODUCTS } from '../ticket/claims.ts';
import { decodeCbor } from '../ticket/cbor.ts';
import { parseCoseSign1 } from '../ticket/cose-sign1.ts';

const uint = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const text = { type: 'string' } as const;

/** A CBOR byte string of `length` bytes (any length when absent), shown as hex. */
function bytes(description: string, length?: number): Record<string, unknown> {
  const pattern = length === undefined ? '^([0-9a-f]{2})*$' : `^[0-9a-f]{${length * 2}}$`;
  return { type: 'string', contentEncoding: 'base16', pattern, description: `CBOR byte string (bstr), shown here as hex. ${description}` };
}

const packedDenyEntries = (what: string): Record<string, unknown> => ({
  ...bytes(`${what}: packed 8-byte big-endian deny hashes, strictly ascending (sorted, no duplicates).`),
  pattern: '^([0-9a-f]{16})*$',
});

const certificate = bytes(
  `A signing key's certificate: the whole COSE_Sign1 of a ${SIGNING_CERT_TYPE} bundle signed by the root (SigningCertificatePayload). ` +
    'Present when an online signing key signed this bundle (whose COSE kid must be the certified kid); absent when the root signed it.',
);

/** The payload map of one bundle type: typ/ver/iat (and crt unless only the root signs the type) plus its own fields, nothing else. */
function bundlePayload(type: string, title: string, fields: Record<string, unknown>, required: string[]): Record<string, unknown> {
  const signedByRootOnly = ROOT_ONLY_TYPES.includes(type);
  return {
    title,
    type: 'object',
    additionalProperties: false,
    required: ['typ', 'ver', 'iat', ...required],
    properties: {
      typ: { const: type, description: 'Bundle type; a gate refuses a bundle of another type on this topic.' },
      ver: { ...uint, description: 'Version: only grows; a gate refuses a lower version than it holds (rollback) and ignores an equal one.' },
      iat: { ...uint, description: 'Issue time, Unix seconds.' },
      ...(!signedByRootOnly && { crt: certificate }),
      ...fields,
    },
  };
}

export const BUNDLE_PAYLOAD_SCHEMAS = {
  TrustListPayload: bundlePayload(
    TRUST_LIST_TYPE,
    'Trust list',
    {
      iss: {
        type: 'array',
        description: 'The issuer keys whose tickets a gate accepts.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['kid', 'pub', 'nbf'],
          properties: {
            kid: bytes('Key id: 8 bytes.', 8),
            pub: bytes('Raw Ed25519 public key: 32 bytes.', 32),
            nbf: { ...uint, description: 'The key signs tickets issued at or after this Unix second.' },
            exp: { ...uint, description: ' ...and before this Unix second; absent = open-ended.' },
            opr: { ...text, description: "Operator id a ticket's iss must name, when it names one." },
          },
        },
      },
      rvk: { type: 'array', items: bytes('Kid of a signing key the root revoked: 8 bytes.', 8), description: 'Revoked signing keys; absent when none.' },
    },
    ['iss'],
  ),
  SigningCertificatePayload: bundlePayload(
    SIGNING_CERT_TYPE,
    'Signing-key certificate (signed by the root; travels inside other bundles as crt)',
    {
      kid: bytes('Key id of the signing key: 8 bytes.', 8),
      pub: bytes('Raw Ed25519 public key of the signing key: 32 bytes.', 32),
      nbf: { ...uint, description: 'The key may sign bundles whose iat is at or after this Unix second...' },
      exp: { ...uint, description: '...and before this Unix second (after nbf).' },
      knd: { type: 'array', items: text, description: 'The bundle types (typ) the key may sign.' },
    },
    ['kid', 'pub', 'nbf', 'exp', 'knd'],
  ),
  DenyListPayload: bundlePayload(DENY_LIST_TYPE, 'Full deny list', { ent: packedDenyEntries('Every entry') }, ['ent']),
  DenyDeltaPayload: bundlePayload(
    DENY_DELTA_TYPE,
    'Deny list delta',
    {
      base: { ...uint, description: 'Applies to a held full list of any version from base up to, not including, ver (cumulative).' },
      add: packedDenyEntries('Entries to add'),
      del: packedDenyEntries('Entries to remove'),
    },
    ['base', 'add', 'del'],
  ),
  FareSettingsPayload: bundlePayload(
    FARES_TYPE,
    'Fare settings',
    {
      skewSeconds: { ...uint, description: 'Clock skew allowed on every time window, seconds.' },
      codeWindowSeconds: { ...uint, maximum: MAX_CODE_WINDOW_SECONDS, description: 'How long a level-2 code stays valid after it was made, seconds.' },
      passbackSeconds: { ...uint, description: 'A non-single ticket may not enter again at the same station within this time, seconds.' },
      exitGraceSeconds: { ...uint, description: 'How long after exp an exit gate still lets a rider out, seconds.' },
      unanchoredClock: { enum: ['accept-flagged', 'reject'], description: 'What to do when the gate cannot vouch for its clock.' },
      maxLifetime: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(PRODUCTS.map((product) => [product, { ...uint, minimum: 1 }])),
        description: 'Per product, the longest exp - nbf a ticket may have, seconds. The signer always writes every product; a gate takes the default for one absent.',
      },
    },
    ['skewSeconds', 'codeWindowSeconds', 'passbackSeconds', 'exitGraceSeconds', 'unanchoredClock'],
  ),
  GateCommandPayload: bundlePayload(
    COMMAND_TYPE,
    'Gate command',
    {
      device: { ...text, description: 'The device it is for; a gate refuses a command for another device.' },
      cmd: { enum: GATE_COMMANDS },
      reason: { ...text, description: 'Why, for the gate log.' },
    },
    ['device', 'cmd'],
  ),
  TimeBeaconPayload: bundlePayload(TIME_TYPE, 'Time beacon (ver is the gateway time in Unix ms)', {}, []),
  ClockResetPayload: bundlePayload(
    CLOCK_RESET_TYPE,
    'Clock reset',
    {
      resetTo: { ...uint, description: "The gate's new high-water mark, Unix ms." },
      reason: { ...text, maxLength: MAX_CLOCK_RESET_REASON, description: 'Why, for the gate log.' },
    },
    ['resetTo'],
  ),
} as const;

export type BundlePayloadName = keyof typeof BUNDLE_PAYLOAD_SCHEMAS;

/** The signed envelope every bundle travels in (the ticket format's). */
export const COSE_SIGN1_ENVELOPE_SCHEMA = {
  title: 'COSE_Sign1 (RFC 9052), binary',
  type: 'string',
  contentMediaType: 'application/cose; cose-type="cose-sign1"',
  description:
    'The MQTT payload is the raw CBOR bytes 18([protected, unprotected, payload, signature]): protected = bstr of the CBOR map ' +
    '{1: -8 (EdDSA), 4: kid (8 bytes)}, unprotected = {}, payload = bstr of a CBOR map (see the message\'s x-decoded-payload), ' +
    'signature = 64-byte Ed25519 over the Sig_structure ["Signature1", protected, h\'\', payload]. Gates verify it with the pinned ' +
    'root public key: no crt = signed by the root itself; with crt = signed by the certified signing key (docs/protocol.md, "Signing chain").',
} as const;

function asJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [String(key), asJson(item)]));
  if (Array.isArray(value)) return value.map(asJson);
  return value;
}

/** The decoded payload of a signed bundle, as JSON under the convention above (no signature check). */
export function bundleAsJson(bundle: Uint8Array): unknown {
  return asJson(decodeCbor(parseCoseSign1(bundle).payload));
}
