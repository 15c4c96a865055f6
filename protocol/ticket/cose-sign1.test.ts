import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import nacl from 'tweetnacl';
import { decodeCbor, encodeCbor, Tag } from './cbor.ts';
import {
  ALG_EDDSA,
  buildCoseSign1,
  COSE_SIGN1_TAG,
  encodeProtectedHeader,
  MalformedError,
  parseCoseSign1,
  requireExactEnvelope,
  sigStructure,
} from './cose-sign1.ts';
import { generateEd25519, rawPublicKey, signEd25519, signingKeyFrom, toHex, verifyEd25519 } from './ed25519.ts';

const key = signingKeyFrom(generateEd25519().privateKey);
const publicKey = createPublicKey(key.privateKey);
const payload = encodeCbor(new Map<number, unknown>([[4, 2_000_000_000]]));
const signed = buildCoseSign1(payload, key.kid, (tbs) => signEd25519(key.privateKey, tbs));

/** A COSE_Sign1 array with some parts replaced, encoded (tagged unless `tag` is null). */
function envelope(parts: Partial<Record<0 | 1 | 2 | 3, unknown>>, tag: number | null = COSE_SIGN1_TAG): Uint8Array {
  const cose = parseCoseSign1(signed);
  const items: unknown[] = [cose.protectedBytes, new Map(), cose.payload, cose.signature];
  for (const [index, value] of Object.entries(parts)) items[Number(index)] = value;
  return encodeCbor(tag === null ? items : new Tag(items, tag));
}

describe('COSE_Sign1 (RFC 9052)', () => {
  test('builds 18([protected {1: -8, 4: kid}, {}, payload, signature])', () => {
    const item = decodeCbor(signed, { tags: [18] });
    assert.ok(item instanceof Tag);
    assert.equal(item.tag, 18);
    const [protectedBytes, unprotected, body, signature] = item.value as [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array];
    const header = decodeCbor(protectedBytes) as Map<number, Uint8Array>;
    assert.deepEqual([...header.keys()], [1, 4]);
    assert.equal(header.get(1), ALG_EDDSA);
    assert.equal(toHex(header.get(4)!), toHex(key.kid));
    assert.equal(unprotected.size, 0);
    assert.equal(toHex(body), toHex(payload));
    assert.equal(signature.length, 64);
    assert.equal(toHex(signed.subarray(0, 2)), 'd284');
  });

  test('encodes the protected header with and without kid', () => {
    assert.equal(toHex(encodeProtectedHeader()), 'a10127');
    assert.equal(toHex(encodeProtectedHeader(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))), 'a201270448' + '0102030405060708');
  });

  test('signs the Sig_structure ["Signature1", protected, h\'\', payload], verified by node and tweetnacl', () => {
    const cose = parseCoseSign1(signed);
    const tbs = sigStructure(cose.protectedBytes, cose.payload);
    const [context, protectedBytes, external, body] = decodeCbor(tbs) as [string, Uint8Array, Uint8Array, Uint8Array];
    assert.equal(context, 'Signature1');
    assert.deepEqual([protectedBytes, external, body].map(toHex), [toHex(cose.protectedBytes), '', toHex(cose.payload)]);
    assert.equal(verifyEd25519(publicKey, tbs, cose.signature), true);
    assert.equal(nacl.sign.detached.verify(tbs, cose.signature, rawPublicKey(publicKey)), true);
  });

  test('builds the Sig_structure byte for byte as a CBOR encoder does, at every length boundary', () => {
    for (const length of [0, 1, 23, 24, 255, 256, 65_535, 65_536]) {
      const body = new Uint8Array(length).fill(0x5a);
      const header = encodeProtectedHeader(key.kid);
      const expected = encodeCbor(['Signature1', header, new Uint8Array(0), body]);
      assert.deepEqual(sigStructure(header, body), new Uint8Array(expected), `payload of ${length} bytes`);
    }
  });

  test('parses what it builds: kid, payload, signature and the protected bytes as received', () => {
    const cose = parseCoseSign1(signed);
    assert.equal(toHex(cose.kid!), toHex(key.kid));
    assert.equal(toHex(cose.payload), toHex(payload));
    assert.equal(toHex(cose.protectedBytes), toHex(encodeProtectedHeader(key.kid)));
  });

  const malformed: Array<[string, () => Uint8Array]> = [
    ['bad CBOR (truncated)', () => signed.subarray(0, signed.length - 1)],
    ['bad CBOR (trailing byte)', () => Uint8Array.from([...signed, 0])],
    ['another tag', () => envelope({}, 98)],
    ['not an array', () => encodeCbor(new Tag(new Map(), 18))],
    ['an array of 3', () => encodeCbor(new Tag([new Uint8Array(1), new Map(), new Uint8Array(1)], 18))],
    ['a protected header that is not a byte string', () => envelope({ 0: new Map([[1, -8]]) })],
    ['a protected header that is not a map', () => envelope({ 0: encodeCbor([1, -8]) })],
    ['a protected header that is not CBOR', () => envelope({ 0: Uint8Array.of(0xa1, 0x01) })],
    ['an unprotected header that is not a map', () => envelope({ 1: [] })],
    ['a payload that is not a byte string', () => envelope({ 2: 'text' })],
    ['a 63-byte signature', () => envelope({ 3: new Uint8Array(63) })],
    ['a 65-byte signature', () => envelope({ 3: new Uint8Array(65) })],
    ['algorithm ES256 (-7)', () => envelope({ 0: encodeCbor(new Map([[1, -7]])) })],
    ['no algorithm', () => envelope({ 0: new Uint8Array(0) })],
    ['a kid that is not a byte string', () => envelope({ 0: encodeCbor(new Map<number, unknown>([[1, -8], [4, 'kid']])) })],
  ];
  for (const [what, bytes] of malformed) {
    test(`refuses ${what} as MalformedError`, () => {
      assert.throws(() => parseCoseSign1(bytes()), MalformedError);
    });
  }

  test('requireExactEnvelope accepts the bytes it would build', () => {
    requireExactEnvelope(signed, parseCoseSign1(signed), 'a ticket');
  });

  const rewrapped: Array<[string, () => Uint8Array]> = [
    ['an untagged COSE_Sign1', () => envelope({}, null)],
    ['an unprotected header with entries', () => envelope({ 1: new Map([[4, key.kid]]) })],
  ];
  for (const [what, bytes] of rewrapped) {
    test(`requireExactEnvelope refuses ${what} though the signed content is the same`, () => {
      const cose = parseCoseSign1(bytes());
      assert.equal(verifyEd25519(publicKey, sigStructure(cose.protectedBytes, cose.payload), cose.signature), true);
      assert.throws(() => requireExactEnvelope(bytes(), cose, 'a ticket'), /a ticket must be 18\(\[protected, \{\}/);
    });
  }

  const longerForms: Array<[string, () => Uint8Array]> = [
    ['a longer array length form (0x98 0x04)', () => Uint8Array.from([0xd2, 0x98, 0x04, ...signed.subarray(2)])],
    ['a longer tag form (0xd8 0x12)', () => Uint8Array.from([0xd8, 0x12, ...signed.subarray(1)])],
  ];
  for (const [what, bytes] of longerForms) {
    test(`refuses ${what} though the signed content is the same: not preferred encoding`, () => {
      assert.throws(() => parseCoseSign1(bytes()), (error: unknown) => error instanceof MalformedError && /not preferred/.test(error.message));
    });
  }
});
