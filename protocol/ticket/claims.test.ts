import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeCbor, encodeCbor } from './cbor.ts';
import { encodeClaims, FARE_CLASSES, MODES, parseClaims, PRODUCTS, type TicketClaims } from './claims.ts';
import { MalformedError } from './cose-sign1.ts';
import { toHex } from './ed25519.ts';

const base: TicketClaims = {
  exp: 1_767_312_000,
  nbf: 1_767_225_600,
  cti: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
  prd: 'single',
  cls: 'adult',
};

/** The claims map of `base` with entries replaced (`undefined` deletes). */
function claimsMap(changes: Array<[number | string, unknown]>): Uint8Array {
  const map = decodeCbor(encodeClaims(base)) as Map<number | string, unknown>;
  for (const [key, value] of changes) {
    if (value === undefined) map.delete(key);
    else map.set(key, value);
  }
  return encodeCbor(map);
}

const coseKey = (entries: Array<[number, unknown]>) => new Map([[1, new Map(entries)]]);
const goodX = new Uint8Array(32).fill(9);

const arbitraryClaims: fc.Arbitrary<TicketClaims> = fc
  .record(
    {
      iss: fc.string({ maxLength: 20 }),
      exp: fc.nat(),
      nbf: fc.nat(),
      iat: fc.nat(),
      cti: fc.uint8Array({ minLength: 8, maxLength: 16 }),
      holderKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      prd: fc.constantFrom(...PRODUCTS),
      cls: fc.constantFrom(...FARE_CLASSES),
      zon: fc.array(fc.nat(), { maxLength: 64 }),
      mod: fc.array(fc.constantFrom(...MODES), { maxLength: 4 }),
    },
    { requiredKeys: ['exp', 'nbf', 'cti', 'prd', 'cls'] },
  )
  .map((claims) => claims as TicketClaims);

function normalise(claims: TicketClaims): unknown {
  return { ...claims, cti: toHex(claims.cti), holderKey: claims.holderKey && toHex(claims.holderKey) };
}

describe('ticket claims', () => {
  test('round-trips every combination of claims (property)', () => {
    fc.assert(
      fc.property(arbitraryClaims, (claims) => {
        assert.deepEqual(normalise(parseClaims(encodeClaims(claims))), normalise(claims));
      }),
      { seed: 8392, numRuns: 1000 },
    );
  });

  test('reads an absent cls as "adult" and leaves "adult" out when encoding', () => {
    assert.equal(parseClaims(claimsMap([])).cls, 'adult');
    const map = decodeCbor(encodeClaims(base)) as Map<unknown, unknown>;
    assert.equal(map.has('cls'), false);
  });

  test('ignores unknown integer and text claims, whatever their type', () => {
    const claims = parseClaims(
      claimsMap([
        [2, 'subject'],
        [99, new Map([[1, [1, 2, 3]]])],
        ['xyz', -5],
        ['ext', new Uint8Array(100)],
      ]),
    );
    assert.deepEqual(normalise(claims), normalise(base));
  });

  test('keeps an unknown mode as text (it simply never matches a gate)', () => {
    assert.deepEqual(parseClaims(claimsMap([['mod', ['metro', 'ferry']]])).mod, ['metro', 'ferry']);
  });

  test('reads the holder key from cnf {1: {1: 1, -1: 6, -2: x}}', () => {
    const claims = parseClaims(claimsMap([[8, coseKey([[1, 1], [-1, 6], [-2, goodX]])]]));
    assert.equal(toHex(claims.holderKey!), toHex(goodX));
  });

  const wrongTypes: Array<[string, Array<[number | string, unknown]>]> = [
    ['iss as a number', [[1, 42]]],
    ['exp as text', [[4, '1767312000']]],
    ['exp negative', [[4, -1]]],
    ['exp fractional', [[4, 1.5]]],
    ['exp missing', [[4, undefined]]],
    ['nbf as bytes', [[5, new Uint8Array(4)]]],
    ['nbf missing', [[5, undefined]]],
    ['iat negative', [[6, -3]]],
    ['iat as text', [[6, 'now']]],
    ['cti of 7 bytes', [[7, new Uint8Array(7)]]],
    ['cti of 17 bytes', [[7, new Uint8Array(17)]]],
    ['cti as text', [[7, 'ticket-0001']]],
    ['cti missing', [[7, undefined]]],
    ['cnf that is not a map', [[8, goodX]]],
    ['cnf without a COSE_Key', [[8, new Map([[2, 1]])]]],
    ['cnf with kty EC2', [[8, coseKey([[1, 2], [-1, 6], [-2, goodX]])]]],
    ['cnf with crv X25519', [[8, coseKey([[1, 1], [-1, 4], [-2, goodX]])]]],
    ['cnf with a 31-byte x', [[8, coseKey([[1, 1], [-1, 6], [-2, new Uint8Array(31)]])]]],
    ['prd unknown', [['prd', 'weekly']]],
    ['prd as a number', [['prd', 1]]],
    ['prd missing', [['prd', undefined]]],
    ['cls unknown', [['cls', 'vip']]],
    ['zon that is not an array', [['zon', 1]]],
    ['zon with a text item', [['zon', ['1']]]],
    ['zon with a negative item', [['zon', [-1]]]],
    ['zon of 65 items', [['zon', Array.from({ length: 65 }, (_, i) => i)]]],
    ['mod that is not an array', [['mod', 'metro']]],
    ['mod with a number', [['mod', [1]]]],
  ];
  for (const [what, changes] of wrongTypes) {
    test(`refuses ${what} as MalformedError`, () => {
      assert.throws(() => parseClaims(claimsMap(changes)), MalformedError);
    });
  }

  test('refuses claims that are not a map', () => {
    assert.throws(() => parseClaims(encodeCbor([1, 2])), /claims must be a map/);
  });

  test('refuses a payload that is not CBOR', () => {
    assert.throws(() => parseClaims(Uint8Array.of(0xa1, 0x04)), /bad claims CBOR/);
  });
});
