/**
 * The one CBOR configuration every Faregate message uses (cbor-x).
 * Maps stay `Map`s so integer claim keys survive, byte strings are plain bstr
 * (no typed-array tags), and records/structured clone are off: input is hostile.
 * Decoding is strict (strict-cbor.ts runs first); encoding writes every integer as
 * an integer — cbor-x alone would write one above 2^32 (a ms timestamp) as a float.
 */
import { Decoder, Encoder, Tag } from 'cbor-x';
import { strictCborProblem, type StrictCborOptions } from './strict-cbor.ts';

const options = { mapsAsObjects: false, useRecords: false, tagUint8Array: false, variableMapSize: true } as const;
const encoder = new Encoder(options);
// int64AsNumber (in cbor-x's decoder and README, missing from its types): a uint64 decodes
// to a number, and one above 2^53 to an inexact number that isUint() then refuses.
const decoderOptions: ConstructorParameters<typeof Decoder>[0] & { int64AsNumber: boolean } = { ...options, int64AsNumber: true };
const decoder = new Decoder(decoderOptions);

export { Tag };

export class CborError extends Error {}

function isWideInteger(value: number): boolean {
  return Number.isSafeInteger(value) && (value > 0xffffffff || value < -0x100000000);
}

/** A copy of `value` with every integer cbor-x would write as a float turned into a bigint. */
function integersAsIntegers(value: unknown): unknown {
  if (typeof value === 'number') return isWideInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(integersAsIntegers);
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    for (const [key, entry] of value) copy.set(integersAsIntegers(key), integersAsIntegers(entry));
    return copy;
  }
  if (value instanceof Tag) return new Tag(integersAsIntegers(value.value), value.tag);
  return value;
}

export function encodeCbor(value: unknown): Uint8Array {
  return encoder.encode(integersAsIntegers(value));
}

/**
 * Decodes exactly one CBOR item in Faregate's strict encoding; throws CborError on
 * anything else (trailing bytes, truncation, duplicate keys, long forms, floats...).
 */
export function decodeCbor(bytes: Uint8Array, strict: StrictCborOptions = {}): unknown {
  const problem = strictCborProblem(bytes, strict);
  if (problem !== undefined) throw new CborError(problem);
  return decoder.decode(bytes);
}

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
