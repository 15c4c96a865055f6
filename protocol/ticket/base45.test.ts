import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Base45Error, decodeBase45, encodeBase45 } from './base45.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('Base45 (RFC 9285)', () => {
  const examples: Array<[string, string]> = [
    ['AB', 'BB8'],
    ['Hello!!', '%69 VD92EX0'],
    ['base-45', 'UJCLQE7W581'],
    ['ietf!', 'QED8WEX0'],
  ];
  for (const [plain, encoded] of examples) {
    test(`encodes "${plain}" as "${encoded}" and decodes it back (RFC 9285 example)`, () => {
      assert.equal(encodeBase45(text(plain)), encoded);
      assert.deepEqual(decodeBase45(encoded), text(plain));
    });
  }

  test('encodes the empty input as the empty text and back', () => {
    assert.equal(encodeBase45(new Uint8Array(0)), '');
    assert.deepEqual(decodeBase45(''), new Uint8Array(0));
  });

  test('decodes from an offset, skipping a prefix', () => {
    assert.deepEqual(decodeBase45('FT1:BB8', 4), text('AB'));
  });

  test('rejects characters outside the alphabet (lower case, punctuation, non-ASCII)', () => {
    for (const bad of ['bb8', 'BB~', 'B,8', 'BBé', 'BB\n', '\u0000BB', 'BB\u{1F600}']) {
      assert.throws(() => decodeBase45(bad), Base45Error, JSON.stringify(bad));
    }
  });

  test('reports the position of an invalid character', () => {
    assert.throws(() => decodeBase45('BB8B~'), /position 4/);
  });

  test('rejects a triplet over 65535 ("GGW" is 65536)', () => {
    assert.throws(() => decodeBase45('GGW'), (error: unknown) => {
      assert.ok(error instanceof Base45Error);
      assert.match(error.message, /exceed 65535/);
      return true;
    });
    // The largest triplet, ":::" (45^3 - 1), is out of range too; "FGW" is exactly 65535.
    assert.throws(() => decodeBase45(':::'), Base45Error);
    assert.deepEqual(decodeBase45('FGW'), Uint8Array.of(0xff, 0xff));
  });

  test('rejects a trailing pair over 255 ("V5" is 256, "U5" is 255)', () => {
    assert.throws(() => decodeBase45('V5'), Base45Error);
    assert.deepEqual(decodeBase45('U5'), Uint8Array.of(0xff));
  });

  test('rejects a dangling single character', () => {
    for (const bad of ['A', 'BB8A', 'BB8BB8C']) {
      assert.throws(() => decodeBase45(bad), /leave a single one over/, bad);
    }
  });

  test('never ends an encoding with a space (a trailing space can be trimmed safely)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => !encodeBase45(bytes).endsWith(' ')),
      { seed: 45, numRuns: 2000 },
    );
  });

  test('round-trips any bytes, using only the 45 characters (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
        const encoded = encodeBase45(bytes);
        assert.equal(encoded.length, Math.floor(bytes.length / 2) * 3 + (bytes.length % 2) * 2);
        for (const ch of encoded) assert.ok(ALPHABET.includes(ch));
        assert.deepEqual(decodeBase45(encoded), bytes);
      }),
      { seed: 9285, numRuns: 3000 },
    );
  });

  test('decoding is one to one: any text that decodes re-encodes to itself (property)', () => {
    const base45Text = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 60 });
    fc.assert(
      fc.property(base45Text, (candidate) => {
        let bytes: Uint8Array;
        try {
          bytes = decodeBase45(candidate);
        } catch (error) {
          assert.ok(error instanceof Base45Error);
          return;
        }
        assert.equal(encodeBase45(bytes), candidate);
      }),
      { seed: 19, numRuns: 5000 },
    );
  });
});
