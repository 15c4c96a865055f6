import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeCbor, encodeCbor, Tag } from './cbor.ts';
import { strictCborProblem } from './strict-cbor.ts';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s/g, ''), 'hex'));

/** The values Faregate messages are made of: integers, strings, bytes, arrays and maps with int/text keys. */
const leaf = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.maxSafeNat(),
  fc.maxSafeInteger(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uint8Array({ maxLength: 300 }),
);
const { value: cborValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('map')),
  array: fc.array(tie('value'), { maxLength: 30 }),
  map: fc
    .uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -1000, max: 70000 }), fc.string({ maxLength: 8 })), tie('value')), {
      selector: ([key]) => key,
      maxLength: 30,
    })
    .map((entries) => new Map<unknown, unknown>(entries)),
}));

/** cbor-x hands byte strings back as Buffers; compare them as plain Uint8Arrays. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return new Map([...value].map(([key, entry]) => [key, plain(entry)]));
  return value;
}

// A 16-byte marker encoded as bstr (0x50 + 16 bytes): its place is where a bad item goes.
const MARKER = hex('fa6e9a7e0000000000000000c0ffee00');
const MARKER_ITEM = Uint8Array.from([0x50, ...MARKER]);

function replaceMarker(bytes: Uint8Array, item: Uint8Array): Uint8Array {
  const at = Buffer.from(bytes).indexOf(Buffer.from(MARKER_ITEM));
  assert.ok(at >= 0);
  return Uint8Array.from([...bytes.subarray(0, at), ...item, ...bytes.subarray(at + MARKER_ITEM.length)]);
}

/** Items that are well-formed CBOR but not Faregate's strict encoding, with the problem they must be refused for. */
const BAD_ITEMS: Array<[string, string, RegExp]> = [
  ['uint 5 in a one-byte argument', '18 05', /not preferred/],
  ['uint 5 in two bytes', '19 0005', /not preferred/],
  ['uint 255 in two bytes', '19 00ff', /not preferred/],
  ['uint 65535 in four bytes', '1a 0000ffff', /not preferred/],
  ['uint 2^32-1 in eight bytes', '1b 00000000ffffffff', /not preferred/],
  ['negative -1 in a one-byte argument', '38 00', /not preferred/],
  ['a 3-byte bstr with a one-byte length', '58 03 010203', /not preferred/],
  ['a 2-byte text with a two-byte length', '79 0002 6869', /not preferred/],
  ['an array of 1 with a one-byte length', '98 01 00', /not preferred/],
  ['a map of 1 with a one-byte length', 'b8 01 01 02', /not preferred/],
  ['an indefinite bstr', '5f 41 00 ff', /indefinite/],
  ['an indefinite text', '7f 61 61 ff', /indefinite/],
  ['an indefinite array', '9f 01 ff', /indefinite/],
  ['an indefinite map', 'bf 01 02 ff', /indefinite/],
  ['a reserved argument size', '1c', /reserved/],
  ['integer 3 as a double', 'fb 4008000000000000', /float/],
  ['integer 3 as a single', 'fa 40400000', /float/],
  ['integer 3 as a half', 'f9 4200', /float/],
  ['false', 'f4', /simple value/],
  ['true', 'f5', /simple value/],
  ['null', 'f6', /simple value/],
  ['undefined', 'f7', /simple value/],
  ['a map with a duplicate integer key', 'a2 04 01 04 02', /duplicate map key/],
  ['a map with a duplicate text key', 'a2 63707264 01 63707264 02', /duplicate map key/],
  ['a large map with a duplicate key', `b4 ${Array.from({ length: 19 }, (_, i) => `${i.toString(16).padStart(2, '0')} 00`).join(' ')} 05 00`, /duplicate map key/],
  ['a map with a byte-string key', 'a1 41 00 01', /key .* integer or text/],
  ['a map with an array key', 'a1 80 01', /key .* integer or text/],
  ['text that is not UTF-8', '62 c328', /UTF-8/],
  ['a date tag', 'c1 00', /tag 1 .* not allowed/],
  ['COSE tag 18 where no tag is allowed', 'd2 80', /tag 18 .* not allowed/],
];

describe('strict CBOR', () => {
  test('accepts what the encoder writes, and decodes it to the same value (wide integers as integers)', () => {
    fc.assert(
      fc.property(cborValue, (value) => {
        const bytes = encodeCbor(value);
        assert.equal(strictCborProblem(bytes), undefined);
        assert.deepEqual(plain(decodeCbor(bytes)), value);
        // One encoding per value: what was accepted is exactly what the encoder writes.
        assert.equal(Buffer.compare(encodeCbor(decodeCbor(bytes)), bytes), 0);
      }),
      { numRuns: 400 },
    );
  });

  test('writes integers above 2^32 (millisecond versions) as uint64, not as floats', () => {
    assert.equal(Buffer.from(encodeCbor(1_764_442_234_880)).toString('hex'), '1b0000019ad0f3e000');
    assert.equal(Buffer.from(encodeCbor(-(2 ** 40))).toString('hex'), '3b000000ffffffffff');
    assert.equal(decodeCbor(encodeCbor(new Map([['ver', 1_764_442_234_880]]))) instanceof Map, true);
  });

  for (const [what, item, problem] of BAD_ITEMS) {
    test(`refuses ${what} wherever it sits in a message`, () => {
      assert.match(strictCborProblem(hex(item)) ?? 'accepted', problem);
      fc.assert(
        fc.property(cborValue, fc.nat(), (value, spot) => {
          // Put the marker somewhere inside a random message: as an array item, or a map value.
          const holder = spot % 2 === 0 ? [value, MARKER] : new Map<unknown, unknown>([[spot, MARKER], [-1 - spot, value]]);
          const bytes = replaceMarker(encodeCbor(holder), hex(item));
          assert.match(strictCborProblem(bytes) ?? 'accepted', problem);
          assert.throws(() => decodeCbor(bytes));
        }),
        { numRuns: 40 },
      );
    });
  }

  test('a uint64 above 2^53 passes the structure check but never decodes to an exact integer', () => {
    const bytes = hex('1b 0020000000000001');
    assert.equal(strictCborProblem(bytes), undefined);
    assert.equal(Number.isSafeInteger(decodeCbor(bytes)), false);
  });

  test('refuses trailing bytes, truncation, and nesting deeper than 16', () => {
    assert.match(strictCborProblem(hex('01 02')) ?? '', /1 bytes after the item/);
    assert.match(strictCborProblem(hex('82 01')) ?? '', /truncated/);
    assert.match(strictCborProblem(hex('5a ffffffff 00')) ?? '', /truncated/);
    assert.match(strictCborProblem(new Uint8Array(0)) ?? '', /truncated/);
    assert.equal(strictCborProblem(new Uint8Array([...new Array(16).fill(0x81), 0x00])), undefined);
    assert.match(strictCborProblem(new Uint8Array([...new Array(17).fill(0x81), 0x00])) ?? '', /deeper than 16/);
    assert.match(strictCborProblem(new Uint8Array(100_000).fill(0x81)) ?? '', /deeper than 16/);
  });

  test('allows a tag only where the format names it', () => {
    const envelope = encodeCbor(new Tag([new Uint8Array(1), new Map(), new Uint8Array(2), new Uint8Array(64)], 18));
    assert.match(strictCborProblem(envelope) ?? '', /tag 18/);
    assert.equal(strictCborProblem(envelope, { tags: [18] }), undefined);
  });

  test('never throws on arbitrary bytes or on mutations of valid messages, and what it accepts decodes', () => {
    const check = (bytes: Uint8Array): void => {
      const problem = strictCborProblem(bytes, { tags: [18] });
      if (problem === undefined) decodeCbor(bytes, { tags: [18] });
      else assert.equal(typeof problem, 'string');
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), { numRuns: 3000 });
    fc.assert(
      fc.property(cborValue, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (value, edits) => {
        const bytes = Uint8Array.from(encodeCbor(value));
        for (const [at, byte] of edits) bytes[at % bytes.length] = byte;
        check(bytes);
      }),
      { numRuns: 3000 },
    );
  });
});
