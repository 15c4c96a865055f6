/**
 * A strict check of CBOR bytes, run before cbor-x decodes them. cbor-x is permissive
 * (a duplicate map key silently replaces the first, long length forms and floats are
 * read like any other), so two COSE libraries could read one signed ticket or bundle
 * differently. Faregate accepts exactly one encoding per value (docs/protocol.md,
 * "Strict encoding"):
 * - every head in preferred (shortest) form, no indefinite lengths;
 * - integers, byte and text strings (valid UTF-8), arrays and maps only: no floats,
 *   no simple values (false/true/null/undefined), tags only where the format names them;
 * - map keys are integers or text, never repeated;
 * - exactly one item, nothing after it; nesting at most MAX_DEPTH deep.
 * It walks the bytes once without building values and never throws: it returns the
 * first problem found, or undefined.
 */

export const MAX_DEPTH = 16;

export interface StrictCborOptions {
  /** Tags allowed anywhere in the item (COSE_Sign1 envelopes: [18]). */
  tags?: readonly number[];
}

const MAJOR_UINT = 0;
const MAJOR_NINT = 1;
const MAJOR_BSTR = 2;
const MAJOR_TSTR = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const SMALL_MAP_KEYS = 8;
const NO_TAGS: readonly number[] = [];
const utf8 = new TextDecoder('utf-8', { fatal: true });

class Problem {
  constructor(readonly message: string) {}
}

/** Reads CBOR heads from one buffer; every method returns the next offset. */
class Walker {
  /** The argument of the last head read (a length, an integer or a tag number). */
  private argument = 0;
  private major = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly tags: readonly number[],
  ) {}

  item(offset: number, depth: number): number {
    if (depth > MAX_DEPTH) throw new Problem(`nested deeper than ${MAX_DEPTH}`);
    let at = this.head(offset);
    const { major, argument } = this;
    switch (major) {
      case MAJOR_UINT:
      case MAJOR_NINT:
        return at;
      case MAJOR_BSTR:
        return this.skip(at, argument);
      case MAJOR_TSTR:
        return this.text(at, argument);
      case MAJOR_ARRAY:
        for (let i = 0; i < argument; i++) at = this.item(at, depth + 1);
        return at;
      case MAJOR_MAP:
        return this.map(at, argument, depth);
      case MAJOR_TAG:
        if (!this.tags.includes(argument)) throw new Problem(`tag ${argument} at byte ${offset} is not allowed here`);
        return this.item(at, depth + 1);
      default:
        throw new Problem(`a float or simple value at byte ${offset} (integers must be sent as integers)`);
    }
  }

  private map(start: number, pairs: number, depth: number): number {
    let at = start;
    const keyStarts: number[] = [];
    const keyEnds: number[] = [];
    const seen = pairs > SMALL_MAP_KEYS ? new Set<string>() : undefined;
    for (let i = 0; i < pairs; i++) {
      const keyStart = at;
      at = this.head(at);
      if (this.major !== MAJOR_UINT && this.major !== MAJOR_NINT && this.major !== MAJOR_TSTR) {
        throw new Problem(`map key at byte ${keyStart} must be an integer or text`);
      }
      if (this.major === MAJOR_TSTR) at = this.text(at, this.argument);
      if (seen) {
        const key = latin1(this.bytes, keyStart, at);
        if (seen.has(key)) throw new Problem(`duplicate map key at byte ${keyStart}`);
        seen.add(key);
      } else {
        for (let k = 0; k < keyStarts.length; k++) {
          if (sameBytes(this.bytes, keyStarts[k]!, keyEnds[k]!, keyStart, at)) {
            throw new Problem(`duplicate map key at byte ${keyStart}`);
          }
        }
        keyStarts.push(keyStart);
        keyEnds.push(at);
      }
      at = this.item(at, depth + 1);
    }
    return at;
  }

  /** Reads one head into major/argument; refuses indefinite, reserved and longer-than-needed forms. */
  private head(offset: number): number {
    const bytes = this.bytes;
    if (offset >= bytes.length) throw new Problem('truncated');
    const initial = bytes[offset]!;
    this.major = initial >> 5;
    const info = initial & 0x1f;
    if (this.major === 7) return offset + 1; // refused by item(); never a key or a length
    if (info < 24) {
      this.argument = info;
      return offset + 1;
    }
    if (info > 27) throw new Problem(`indefinite or reserved length at byte ${offset}`);
    const size = 1 << (info - 24);
    if (offset + 1 + size > bytes.length) throw new Problem('truncated');
    let value = 0;
    for (let i = 1; i <= size; i++) value = value * 256 + bytes[offset + i]!;
    const minimum = info === 24 ? 24 : info === 25 ? 0x100 : info === 26 ? 0x10000 : 0x100000000;
    if (value < minimum) throw new Problem(`a longer head than needed at byte ${offset} (not preferred encoding)`);
    // Above 2^53 the value is inexact here, but it is still above every length this buffer can hold.
    this.argument = value;
    return offset + 1 + size;
  }

  private skip(offset: number, length: number): number {
    if (length > this.bytes.length - offset) throw new Problem('truncated');
    return offset + length;
  }

  private text(offset: number, length: number): number {
    const end = this.skip(offset, length);
    const bytes = this.bytes;
    for (let i = offset; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        try {
          utf8.decode(bytes.subarray(offset, end));
        } catch {
          throw new Problem(`text at byte ${offset} is not valid UTF-8`);
        }
        break;
      }
    }
    return end;
  }
}

function sameBytes(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (bytes[aStart + i] !== bytes[bStart + i]) return false;
  return true;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/** The first way `bytes` breaks the strict rules, or undefined when it is one well-formed strict item. */
export function strictCborProblem(bytes: Uint8Array, options: StrictCborOptions = {}): string | undefined {
  try {
    const end = new Walker(bytes, options.tags ?? NO_TAGS).item(0, 0);
    return end === bytes.length ? undefined : `${bytes.length - end} bytes after the item`;
  } catch (error) {
    if (error instanceof Problem) return error.message;
    // Nothing else is expected from a walk over a byte array; still the input's fault.
    return 'unreadable CBOR';
  }
}
