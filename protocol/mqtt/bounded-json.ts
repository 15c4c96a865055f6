/**
 * JSON from the network, bounded before it is parsed: a payload over its byte limit or
 * nested deeper than its shape allows is refused without building anything (20 MB of
 * `[` once blocked the gateway for 17 s inside JSON.parse and the schema check).
 */

/** Nesting of arrays and objects, counted outside strings; stops as soon as `max` is exceeded. */
export function jsonDepthExceeds(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (inString) {
      if (byte === 0x5c) index++; // backslash: the next byte is escaped
      else if (byte === 0x22) inString = false;
      continue;
    }
    if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

export interface JsonBounds {
  maxBytes: number;
  maxDepth: number;
}

/** Parses `payload`, or answers why not ('over N bytes', 'nested deeper than N', 'not JSON'). */
export function parseBoundedJson(payload: Uint8Array | string, bounds: JsonBounds): { value: unknown } | { problem: string } {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (bytes.length > bounds.maxBytes) return { problem: `${bytes.length} bytes, over the limit of ${bounds.maxBytes}` };
  if (jsonDepthExceeds(bytes, bounds.maxDepth)) return { problem: `nested deeper than ${bounds.maxDepth} levels` };
  try {
    return { value: JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')) };
  } catch {
    return { problem: 'not JSON' };
  }
}
