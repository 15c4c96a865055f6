/**
 * Base45 (RFC 9285): the text form of a ticket in a QR code (alphanumeric mode).
 * Written by hand because the hot path needs strict rejection of every invalid
 * input (bad characters, out-of-range triplets, a dangling single character)
 * and no allocation beyond the output buffer.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

const DECODE_TABLE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

export class Base45Error extends Error {}

export function encodeBase45(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const n = bytes[i]! * 256 + bytes[i + 1]!;
    out += ALPHABET[n % 45]! + ALPHABET[Math.floor(n / 45) % 45]! + ALPHABET[Math.floor(n / 2025)]!;
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1]!;
    out += ALPHABET[n % 45]! + ALPHABET[Math.floor(n / 45)]!;
  }
  return out;
}

/** Positions count in the whole text (prefix included), as a person reading it would. */
function invalidCharacter(text: string, position: number): Base45Error {
  return new Base45Error(`invalid character ${JSON.stringify(String.fromCodePoint(text.codePointAt(position)!))} at position ${position}`);
}

function digit(text: string, index: number, offset: number): number {
  const code = text.charCodeAt(offset + index);
  const value = code < 128 ? DECODE_TABLE[code]! : -1;
  if (value < 0) throw invalidCharacter(text, offset + index);
  return value;
}

/** Decodes `text.slice(offset)`; throws Base45Error on any invalid input. */
export function decodeBase45(text: string, offset = 0): Uint8Array {
  const length = text.length - offset;
  if (length % 3 === 1) {
    // Error path only: a wrong character says more than the length it caused.
    for (let i = offset; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 128 || DECODE_TABLE[code]! < 0) throw invalidCharacter(text, i);
    }
    throw new Base45Error(`${length} characters leave a single one over (text cut short?)`);
  }
  const out = new Uint8Array(Math.floor(length / 3) * 2 + (length % 3 === 2 ? 1 : 0));
  let o = 0;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const n = digit(text, i, offset) + digit(text, i + 1, offset) * 45 + digit(text, i + 2, offset) * 2025;
    if (n > 0xffff) throw new Base45Error(`the three characters at position ${offset + i} exceed 65535`);
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  }
  if (i < length) {
    const n = digit(text, i, offset) + digit(text, i + 1, offset) * 45;
    if (n > 0xff) throw new Base45Error(`the two characters at position ${offset + i} exceed 255`);
    out[o++] = n;
  }
  return out;
}
