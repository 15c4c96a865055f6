/** Every way a code can be malformed (ticket-format.md: the first reason checked). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeBase45 } from '../../protocol/ticket/base45.ts';
import { encodeCbor, Tag } from '../../protocol/ticket/cbor.ts';
import { encodeClaims } from '../../protocol/ticket/claims.ts';
import { buildCoseSign1, COSE_SIGN1_TAG, parseCoseSign1, sigStructure } from '../../protocol/ticket/cose-sign1.ts';
import { signEd25519 } from '../../protocol/ticket/ed25519.ts';
import { CODE_PREFIX, ticketText } from '../../protocol/ticket/ticket-code.ts';
import { DAY, expectReason, NOW, TicketFixture, ticketClaims, ticketClaimsMap } from './test-fixtures.ts';

const fx = new TicketFixture();

describe('TicketChecker: malformed', () => {
  const valid = fx.ticket();
  const validBase45 = valid.text.slice(4);

  test('rejects an unknown prefix as malformed', () => {
    for (const text of ['', 'FT1', 'FT2:' + validBase45, 'ft1:' + validBase45, 'FD2:' + validBase45, validBase45, ' ' + valid.text]) {
      expectReason(fx.checkFresh(text), 'malformed', JSON.stringify(text.slice(0, 6)));
    }
  });

  test('rejects bad Base45 as malformed (bad character, dangling character, triplet over 65535)', () => {
    for (const text of [valid.text.replace(/.$/, 'a'), valid.text + 'A', `FT1:GGW${validBase45}`, valid.text + '\n']) {
      expectReason(fx.checkFresh(text), 'malformed');
    }
  });

  test('rejects bad CBOR as malformed (truncated, trailing byte, not an array, another tag)', () => {
    const bytes = valid.bytes;
    const cose = parseCoseSign1(bytes);
    const variants = [
      bytes.subarray(0, bytes.length - 1),
      Uint8Array.from([...bytes, 0x00]),
      encodeCbor(new Map([[1, 2]])),
      encodeCbor(new Tag([cose.protectedBytes, new Map(), cose.payload, cose.signature], 98)),
      new Uint8Array(0),
    ];
    for (const variant of variants) expectReason(fx.checkFresh(ticketText(variant)), 'malformed');
  });

  test('rejects a ticket re-wrapped around the same signature (untagged, kid moved to the unprotected header) as malformed', () => {
    const cose = parseCoseSign1(valid.bytes);
    const untagged = encodeCbor([cose.protectedBytes, new Map(), cose.payload, cose.signature]);
    const rewrapped = encodeCbor(new Tag([cose.protectedBytes, new Map([[99, 1]]), cose.payload, cose.signature], COSE_SIGN1_TAG));
    expectReason(fx.checkFresh(ticketText(untagged)), 'malformed');
    expectReason(fx.checkFresh(ticketText(rewrapped)), 'malformed');
  });

  const wrongTypes: Array<[string, Array<[number | string, unknown]>]> = [
    ['iss as a number', [[1, 7]]],
    ['exp as text', [[4, String(NOW + DAY)]]],
    ['exp negative', [[4, -1]]],
    ['exp fractional', [[4, NOW + 0.5]]],
    ['exp missing', [[4, undefined]]],
    ['nbf as text', [[5, 'yesterday']]],
    ['nbf missing', [[5, undefined]]],
    ['iat as bytes', [[6, new Uint8Array(4)]]],
    ['cti of 7 bytes', [[7, new Uint8Array(7)]]],
    ['cti of 17 bytes', [[7, new Uint8Array(17)]]],
    ['cti as text', [[7, 'abcdefghijkl']]],
    ['cti missing', [[7, undefined]]],
    ['cnf as bytes', [[8, new Uint8Array(32)]]],
    ['cnf with a 16-byte key', [[8, new Map([[1, new Map<number, unknown>([[1, 1], [-1, 6], [-2, new Uint8Array(16)]])]])]]],
    ['prd unknown', [['prd', 'weekly']]],
    ['prd missing', [['prd', undefined]]],
    ['cls unknown', [['cls', 'vip']]],
    ['cls as a number', [['cls', 1]]],
    ['zon as a number', [['zon', 1]]],
    ['zon with text', [['zon', ['1']]]],
    ['mod as text', [['mod', 'metro']]],
    ['mod with a number', [['mod', [1]]]],
  ];
  for (const [what, changes] of wrongTypes) {
    test(`rejects a validly signed ticket with ${what} as malformed`, () => {
      expectReason(fx.checkFresh(fx.ticketFromMap(ticketClaimsMap(changes))), 'malformed');
    });
  }

  test('rejects claims that are not a map as malformed', () => {
    expectReason(fx.checkFresh(ticketText(fx.signPayload(encodeCbor([1])))), 'malformed');
  });

  test('rejects text over 1 KiB as malformed; a padded valid ticket of exactly 1024 characters is accepted', () => {
    // 680 ticket bytes make exactly 4 + 1020 characters; 681 bytes make 4 + 1022.
    // A 594-byte payload makes a 680-byte ticket: 83 bytes of envelope and a 3-byte bstr header.
    const payloadOf = (padLength: number) => encodeCbor(ticketClaimsMap([['pad', new Uint8Array(padLength)]]));
    let padLength = 0;
    while (payloadOf(padLength).length < 594) padLength++;
    assert.equal(payloadOf(padLength).length, 594);
    const exact = ticketText(fx.signPayload(payloadOf(padLength)));
    assert.equal(exact.length, 1024);
    expectReason(fx.checkFresh(exact), 'ok');
    const over = ticketText(fx.signPayload(payloadOf(padLength + 1)));
    assert.equal(over.length, 1026);
    expectReason(fx.checkFresh(over), 'malformed');
  });

  test('rejects an FD1 code wrapping a ticket without cnf as malformed', () => {
    expectReason(fx.checkFresh(fx.code(valid.bytes)), 'malformed');
  });

  test('rejects an FD1 code whose time is missing, negative or text as malformed', () => {
    const bound = fx.ticket({}, { holder: fx.holder });
    for (const t of [undefined, -5, String(NOW)]) {
      const map = new Map<number, unknown>([[1, bound.bytes]]);
      if (t !== undefined) map.set(2, t);
      expectReason(fx.checkFresh(fx.codeFromMap(map)), 'malformed', String(t));
    }
  });

  test('rejects an FD1 code whose payload is not a map, or whose ticket is not a byte string, as malformed', () => {
    const bound = fx.ticket({}, { holder: fx.holder });
    expectReason(fx.checkFresh(fx.codeFromMap(new Map<number, unknown>([[1, [bound.bytes]], [2, NOW]]))), 'malformed');
    expectReason(fx.checkFresh(fx.codeFromMap(new Map<number, unknown>([[2, NOW]]))), 'malformed');
  });

  test('rejects something that is not a string as malformed, without throwing', () => {
    for (const input of [undefined, null, 42, {}, new Uint8Array(4)]) {
      expectReason(fx.checkFresh(input as unknown as string), 'malformed');
    }
  });

  // Each of these is signed correctly, so only the strict encoding rules can refuse them.
  describe('strict encoding (one encoding per ticket)', () => {
    /** A CBOR map (fewer than 23 entries) with one more key/value pair appended. */
    const withExtraPair = (map: Uint8Array, pair: number[]): Uint8Array => {
      assert.ok(map[0]! >= 0xa0 && map[0]! < 0xb7);
      return Uint8Array.from([map[0]! + 1, ...map.subarray(1), ...pair]);
    };
    const expBytes = (exp: number): number[] => [0x1a, ...Buffer.from(new Uint32Array([exp]).buffer).reverse()];
    const claimsPayload = (): Uint8Array => encodeClaims(ticketClaims());
    /** Replaces the encoding of exp (key 4, a 4-byte uint) in a claims map. */
    const replaceExp = (payload: Uint8Array, replacement: number[]): Uint8Array => {
      const exp = ticketClaims().exp;
      const at = Buffer.from(payload).indexOf(Buffer.from([0x04, ...expBytes(exp)]));
      assert.ok(at > 0);
      return Uint8Array.from([...payload.subarray(0, at + 1), ...replacement, ...payload.subarray(at + 6)]);
    };

    test('rejects claims with a duplicate exp (a later one appended: "last wins" elsewhere) as malformed', () => {
      const payload = withExtraPair(claimsPayload(), [0x04, ...expBytes(4_102_444_800)]);
      expectReason(fx.checkFresh(ticketText(fx.signPayload(payload))), 'malformed');
    });

    test('rejects claims with a duplicate text claim (prd twice) as malformed', () => {
      const payload = withExtraPair(claimsPayload(), [...encodeCbor('prd'), ...encodeCbor('period')]);
      expectReason(fx.checkFresh(ticketText(fx.signPayload(payload))), 'malformed');
    });

    test('rejects exp in a longer form than needed, or as a float of the same value, as malformed', () => {
      const exp = ticketClaims().exp;
      const float = Buffer.alloc(9);
      float[0] = 0xfb;
      float.writeDoubleBE(exp, 1);
      for (const replacement of [[0x1b, 0, 0, 0, 0, ...expBytes(exp).slice(1)], [...float]]) {
        expectReason(fx.checkFresh(ticketText(fx.signPayload(replaceExp(claimsPayload(), replacement)))), 'malformed');
      }
      // The unchanged payload, signed the same way, is accepted: only the encoding differed.
      expectReason(fx.checkFresh(ticketText(fx.signPayload(replaceExp(claimsPayload(), expBytes(exp))))), 'ok');
    });

    test('rejects a protected header with a duplicate alg key as malformed', () => {
      const protectedBytes = Uint8Array.from([0xa3, 0x01, 0x27, 0x04, 0x48, ...fx.issuer.kid, 0x01, 0x27]);
      const payload = claimsPayload();
      const signature = signEd25519(fx.issuer.privateKey, sigStructure(protectedBytes, payload));
      const bytes = encodeCbor(new Tag([protectedBytes, new Map(), payload, signature], COSE_SIGN1_TAG));
      expectReason(fx.checkFresh(ticketText(bytes)), 'malformed');
    });

    test('rejects an FD1 code whose payload repeats its time key as malformed', () => {
      const bound = fx.ticket({}, { holder: fx.holder });
      const map = encodeCbor(new Map<number, unknown>([[1, bound.bytes], [2, NOW]]));
      const payload = withExtraPair(map, [0x02, ...expBytes(NOW + 3600)]);
      const bytes = buildCoseSign1(payload, undefined, (tbs) => signEd25519(fx.holder.privateKey, tbs));
      expectReason(fx.checkFresh(CODE_PREFIX + encodeBase45(bytes)), 'malformed');
      expectReason(fx.checkFresh(fx.codeFromMap(new Map<number, unknown>([[1, bound.bytes], [2, NOW]]))), 'ok');
    });
  });
});
