/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of a frame payload. Node has
 * `zlib.crc32` from 20.15 / 22.2 on (native, fastest); the package allows any
 * Node 20, so older runtimes fall back to a table-driven implementation that
 * gives the same values (crc32.test.ts cross-checks both).
 */
import * as zlib from 'node:zlib';

type Crc32Fn = (data: Uint8Array) => number;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The portable fallback; exported so the tests can compare it with zlib's. */
export function crc32Table(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    // Both indexes are in range by construction; `!` only satisfies noUncheckedIndexedAccess.
    crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// @types/node declares zlib.crc32 unconditionally, but a Node 20 before 20.15 lacks it.
const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export const crc32: Crc32Fn = typeof native === 'function' ? (data) => native(data) >>> 0 : crc32Table;
