import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import nacl from 'tweetnacl';
import { decodeBase45, encodeBase45 } from './base45.ts';
import { encodeCbor, Tag } from './cbor.ts';
import type { TicketClaims } from './claims.ts';
import { buildCoseSign1, COSE_SIGN1_TAG, MalformedError, parseCoseSign1, sigStructure } from './cose-sign1.ts';
import { generateEd25519, rawPublicKey, signEd25519, signingKeyFrom, toHex } from './ed25519.ts';
import {
  CODE_PREFIX,
  MAX_CODE_TEXT_LENGTH,
  parseCodeText,
  rotatingCodeText,
  signTicket,
  TICKET_PREFIX,
  ticketBytesFromText,
  ticketText,
} from './ticket-code.ts';

const issuer = signingKeyFrom(generateEd25519().privateKey);
const issuerRaw = rawPublicKey(createPublicKey(issuer.privateKey));
const holder = generateEd25519();
const holderRaw = rawPublicKey(holder.publicKey);

const claims: TicketClaims = {
  exp: 1_767_312_000,
  nbf: 1_767_225_600,
  cti: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
  prd: 'period',
  cls: 'adult',
};

/** Signs with node's crypto, then asserts tweetnacl verifies it too. */
function signChecked(ticketClaims: TicketClaims): Uint8Array {
  const bytes = signTicket(ticketClaims, issuer);
  const cose = parseCoseSign1(bytes);
  assert.ok(nacl.sign.detached.verify(sigStructure(cose.protectedBytes, cose.payload), cose.signature, issuerRaw));
  return bytes;
}

const plainTicket = signChecked(claims);
const boundTicket = signChecked({ ...claims, holderKey: holderRaw });

describe('ticket and code texts', () => {
  test('parses an FT1 text into a level-1 ticket with its exact bytes and claims', () => {
    const text = ticketText(plainTicket);
    assert.ok(text.startsWith(TICKET_PREFIX));
    const parsed = parseCodeText(text);
    assert.equal(parsed.level, 1);
    assert.equal(toHex(parsed.ticket.bytes), toHex(plainTicket));
    assert.equal(toHex(parsed.ticket.cose.kid!), toHex(issuer.kid));
    assert.equal(parsed.ticket.claims.prd, 'period');
    assert.equal(parsed.holderProof, undefined);
  });

  test('parses an FD1 text into a level-2 code carrying the untouched ticket bytes and the time it was made', () => {
    const text = rotatingCodeText(boundTicket, holder.privateKey, 1_767_225_700);
    assert.ok(text.startsWith(CODE_PREFIX));
    const parsed = parseCodeText(text);
    assert.equal(parsed.level, 2);
    assert.equal(toHex(parsed.ticket.bytes), toHex(boundTicket));
    assert.equal(parsed.holderProof?.madeAt, 1_767_225_700);
    assert.equal(toHex(parsed.ticket.claims.holderKey!), toHex(holderRaw));
    const outer = parsed.holderProof!.cose;
    assert.equal(outer.kid, undefined);
    assert.ok(nacl.sign.detached.verify(sigStructure(outer.protectedBytes, outer.payload), outer.signature, holderRaw));
  });

  test('refuses a text with an unknown prefix', () => {
    for (const text of ['', 'FT2:' + encodeBase45(plainTicket), 'ft1:' + encodeBase45(plainTicket), 'HC1:ABC', encodeBase45(plainTicket)]) {
      assert.throws(() => parseCodeText(text), /starts with neither FT1: nor FD1:/, text.slice(0, 8));
    }
  });

  test('refuses a text over 1 KiB before decoding it', () => {
    assert.equal(MAX_CODE_TEXT_LENGTH, 1024);
    assert.throws(() => parseCodeText(TICKET_PREFIX + 'A'.repeat(1021)), /over 1024 characters/);
  });

  test('refuses an FD1 code wrapping a ticket without cnf', () => {
    const text = rotatingCodeText(plainTicket, holder.privateKey, 1_767_225_700);
    assert.throws(() => parseCodeText(text), /must wrap a ticket with cnf/);
  });

  test('refuses an FD1 code whose time is missing, negative or text', () => {
    for (const t of [undefined, -1, '1767225700', 1.5]) {
      const map = new Map<number, unknown>([[1, boundTicket]]);
      if (t !== undefined) map.set(2, t);
      const cose = buildCoseSign1(encodeCbor(map), undefined, (tbs) => signEd25519(holder.privateKey, tbs));
      assert.throws(() => parseCodeText(CODE_PREFIX + encodeBase45(cose)), MalformedError, String(t));
    }
  });

  test('refuses an FD1 code whose ticket is not a byte string', () => {
    const map = new Map<number, unknown>([[1, [1, 2]], [2, 5]]);
    const cose = buildCoseSign1(encodeCbor(map), undefined, (tbs) => signEd25519(holder.privateKey, tbs));
    assert.throws(() => parseCodeText(CODE_PREFIX + encodeBase45(cose)), /ticket as a byte string/);
  });

  test('refuses a ticket whose kid is missing or not 8 bytes', () => {
    for (const kid of [undefined, issuer.kid.subarray(0, 7)]) {
      const bytes = buildCoseSign1(encodeCbor(new Map()), kid, (tbs) => signEd25519(issuer.privateKey, tbs));
      assert.throws(() => parseCodeText(ticketText(bytes)), /kid must be 8 bytes/);
    }
  });

  test('refuses an untagged ticket or one re-wrapped with an unprotected header, though its signature holds', () => {
    const cose = parseCoseSign1(plainTicket);
    const untagged = encodeCbor([cose.protectedBytes, new Map(), cose.payload, cose.signature]);
    const rewrapped = encodeCbor(
      new Tag([cose.protectedBytes, new Map([[4, issuer.kid]]), cose.payload, cose.signature], COSE_SIGN1_TAG),
    );
    for (const bytes of [untagged, rewrapped]) {
      assert.throws(() => parseCodeText(ticketText(bytes)), /must be 18\(\[protected, \{\}, payload, signature\]\)/);
    }
  });

  test('refuses a rotating code that is not a tagged COSE_Sign1 with an empty unprotected header', () => {
    const outer = parseCoseSign1(decodeBase45(rotatingCodeText(boundTicket, holder.privateKey, 5), 4));
    const untagged = encodeCbor([outer.protectedBytes, new Map(), outer.payload, outer.signature]);
    assert.throws(() => parseCodeText(CODE_PREFIX + encodeBase45(untagged)), /a rotating code must be 18/);
  });

  test('ticketBytesFromText takes the whole text, spaces inside included, and trims only its ends', () => {
    const text = ticketText(plainTicket);
    assert.deepEqual(ticketBytesFromText(`  ${text}\n`), ticketBytesFromText(text));
    assert.equal(toHex(ticketBytesFromText(text)), toHex(plainTicket));
    assert.throws(() => ticketBytesFromText(CODE_PREFIX + 'AB'), /starts with FT1:/);
  });

  test('a ticket without optional claims and a 12-byte cti fits the 254-byte output of small I2C readers', () => {
    const text = ticketText(signChecked({ ...claims, zon: [1, 2], mod: ['metro', 'bus'] }));
    assert.ok(text.length <= 254, `${text.length} characters`);
  });

  test('a level-2 code of a ticket with every claim stays well inside the 1 KiB text limit', () => {
    const full: TicketClaims = {
      ...claims,
      iss: 'metro.example',
      iat: claims.nbf,
      cti: new Uint8Array(16).fill(7),
      cls: 'concession',
      zon: [1, 2, 3],
      mod: ['metro', 'bus', 'tram', 'rail'],
      holderKey: holderRaw,
    };
    const text = rotatingCodeText(signChecked(full), holder.privateKey, 1_767_225_700);
    assert.ok(text.length <= 500, `${text.length} characters`);
  });
});
