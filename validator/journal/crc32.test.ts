import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { crc32, crc32Table } from './crc32.ts';

describe('crc32', () => {
  it('matches the CRC-32/ISO-HDLC check value', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32Table(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32Table(new Uint8Array(0)), 0);
  });

  it('gives the same values with the table fallback as with zlib', () => {
    const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        assert.equal(crc32Table(bytes), crc32(bytes));
        if (native) assert.equal(crc32Table(bytes), native(bytes) >>> 0);
      }),
    );
  });
});
