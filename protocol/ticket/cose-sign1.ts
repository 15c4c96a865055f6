/**
 * COSE_Sign1 (RFC 9052) with EdDSA: the envelope of tickets, rotating codes and bundles.
 * Parsing only checks structure; verification is the caller's, with keys it trusts.
 */
import { decodeCbor, encodeCbor, isBytes, Tag } from './cbor.ts';

export const COSE_SIGN1_TAG = 18;
export const ALG_EDDSA = -8;
const HEADER_ALG = 1;
const HEADER_KID = 4;

export interface CoseSign1 {
  /** The protected header exactly as received (the signature covers these bytes). */
  protectedBytes: Uint8Array;
  kid: Uint8Array | undefined;
  payload: Uint8Array;
  signature: Uint8Array;
  /** Whether the item carried tag 18, and its unprotected header (only checked by requireExactEnvelope). */
  tagged: boolean;
  unprotected: Map<unknown, unknown>;
}

/** Which layer of a scanned code is wrong: the text itself, the COSE envelope, the claims, or a rotating code's own content. */
export type MalformedPart = 'text' | 'COSE' | 'claims' | 'code';

export class MalformedError extends Error {
  constructor(
    message: string,
    readonly part: MalformedPart = 'COSE',
  ) {
    super(message);
  }
}

function fail(message: string): never {
  throw new MalformedError(message);
}

/** Parses a tagged (or untagged) COSE_Sign1 whose algorithm is EdDSA. */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  let item: unknown;
  try {
    item = decodeCbor(bytes, { tags: [COSE_SIGN1_TAG] });
  } catch (error) {
    fail(`bad CBOR: ${(error as Error).message}`);
  }
  const tagged = item instanceof Tag;
  if (item instanceof Tag) {
    if (item.tag !== COSE_SIGN1_TAG) fail(`unexpected CBOR tag ${item.tag}`);
    item = item.value;
  }
  if (!Array.isArray(item) || item.length !== 4) fail('COSE_Sign1 must be an array of 4');
  const [protectedBytes, unprotected, payload, signature] = item as unknown[];
  if (!isBytes(protectedBytes)) fail('protected header must be a byte string');
  if (!(unprotected instanceof Map)) fail('unprotected header must be a map');
  if (!isBytes(payload)) fail('payload must be a byte string');
  if (!isBytes(signature) || signature.length !== 64) fail('signature must be 64 bytes');
  let header: unknown;
  try {
    header = protectedBytes.length === 0 ? new Map() : decodeCbor(protectedBytes);
  } catch (error) {
    fail(`bad protected header: ${(error as Error).message}`);
  }
  if (!(header instanceof Map)) fail('protected header must be a map');
  if (header.get(HEADER_ALG) !== ALG_EDDSA) fail('algorithm must be EdDSA (-8)');
  const kid = header.get(HEADER_KID) ?? unprotected.get(HEADER_KID);
  if (kid !== undefined && !isBytes(kid)) fail('kid must be a byte string');
  return { protectedBytes, kid, payload, signature, tagged, unprotected: unprotected as Map<unknown, unknown> };
}

/**
 * Throws unless `bytes` is exactly `18([protected, {}, payload, signature])` in preferred
 * CBOR encoding (ticket-format.md): one encoding per signed content, so the bytes of an
 * accepted ticket or code are always the bytes that were signed, never a re-wrapped copy
 * (untagged, extra unprotected headers, longer length forms). parseCoseSign1 has already
 * refused every non-preferred form (strict-cbor.ts); what is left is the tag and the header.
 */
export function requireExactEnvelope(bytes: Uint8Array, cose: CoseSign1, what: string): void {
  if (!cose.tagged || bytes[0] !== 0xd2 || cose.unprotected.size !== 0) {
    fail(`${what} must be 18([protected, {}, payload, signature]) in preferred CBOR encoding`);
  }
}

function bstrHeader(length: number): Uint8Array {
  if (length < 24) return Uint8Array.of(0x40 | length);
  if (length < 0x100) return Uint8Array.of(0x58, length);
  if (length < 0x10000) return Uint8Array.of(0x59, length >> 8, length & 0xff);
  return Uint8Array.of(0x5a, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
}

// CBOR of ["Signature1", ...: array(4) header then tstr(10) "Signature1".
const SIG_STRUCTURE_PREFIX = Uint8Array.of(0x84, 0x6a, ...new TextEncoder().encode('Signature1'));
const EMPTY_BSTR = Uint8Array.of(0x40);

/**
 * The RFC 9052 Sig_structure `["Signature1", protected, h'', payload]`, built
 * directly: it is on the hot path and its encoding is fixed by the RFC.
 */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const parts = [
    SIG_STRUCTURE_PREFIX,
    bstrHeader(protectedBytes.length),
    protectedBytes,
    EMPTY_BSTR,
    bstrHeader(payload.length),
    payload,
  ];
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function encodeProtectedHeader(kid?: Uint8Array): Uint8Array {
  const header = new Map<number, unknown>([[HEADER_ALG, ALG_EDDSA]]);
  if (kid) header.set(HEADER_KID, kid);
  return encodeCbor(header);
}

/** Builds a tagged COSE_Sign1; `sign` receives the Sig_structure bytes. */
export function buildCoseSign1(
  payload: Uint8Array,
  kid: Uint8Array | undefined,
  sign: (toBeSigned: Uint8Array) => Uint8Array,
): Uint8Array {
  const protectedBytes = encodeProtectedHeader(kid);
  const signature = sign(sigStructure(protectedBytes, payload));
  return encodeCbor(new Tag([protectedBytes, new Map(), payload, signature], COSE_SIGN1_TAG));
}
