/**
 * The one CBOR configuration every Faregate message uses (cbor-x).
 * Maps stay `Map`s so integer claim keys survive, byte strings are plain bstr
 * (no typed-array tags), and records/structured clone are off: input is hostile.
 */
import { Decoder, Encoder, Tag } from 'cbor-x';

const options = { mapsAsObjects: false, useRecords: false, tagUint8Array: false, variableMapSize: true } as const;
const encoder = new Encoder(options);
const decoder = new Decoder(options);

export { Tag };

export function encodeCbor(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/** Decodes exactly one CBOR item; throws on trailing bytes or truncated input. */
export function decodeCbor(bytes: Uint8Array): unknown {
  return decoder.decode(bytes);
}

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
