import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseQrPacket, QR_MAX_CONTENT, QR_PACKET_SIZE, type QrPacket } from './qr-packet.ts';

function packet(content: string | Uint8Array, declaredLength?: number): Uint8Array {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'latin1') : content;
  const out = new Uint8Array(QR_PACKET_SIZE);
  const length = declaredLength ?? bytes.length;
  out[0] = length & 0xff;
  out[1] = (length >> 8) & 0xff;
  out.set(bytes.subarray(0, QR_MAX_CONTENT), 2);
  return out;
}

/** What every parse result must satisfy, whatever the input. */
function assertWellFormed(result: QrPacket): void {
  if (result.kind === 'code') {
    assert.ok(result.text.length >= 1 && result.text.length <= QR_MAX_CONTENT);
    assert.match(result.text, /^[\x20-\x7e]+$/);
  } else if (result.kind === 'rejected') {
    assert.equal(typeof result.reason, 'string');
  } else {
    assert.equal(result.kind, 'empty');
  }
}

describe('QR reader packet parser', () => {
  it('reads length 0 as nothing in view', () => {
    assert.deepEqual(parseQrPacket(new Uint8Array(QR_PACKET_SIZE)), { kind: 'empty' });
  });

  it('returns exactly the content, spaces included, ignoring the padding', () => {
    assert.deepEqual(parseQrPacket(packet('6BF OXF$/:*+-.%')), { kind: 'code', text: '6BF OXF$/:*+-.%' });
    const withJunkPadding = packet('AB');
    withJunkPadding[10] = 0x41;
    assert.deepEqual(parseQrPacket(withJunkPadding), { kind: 'code', text: 'AB' });
  });

  it('accepts the largest content, 254 bytes, and rejects any larger length', () => {
    const max = 'X'.repeat(254);
    assert.deepEqual(parseQrPacket(packet(max)), { kind: 'code', text: max });
    assert.deepEqual(parseQrPacket(packet(max, 255)), { kind: 'rejected', reason: 'length 255 exceeds 254' });
    assert.deepEqual(parseQrPacket(packet(max, 0xffff)), { kind: 'rejected', reason: 'length 65535 exceeds 254' });
  });

  it('rejects content that is not printable text, saying where', () => {
    const binary = parseQrPacket(packet(new Uint8Array([0x41, 0x00, 0x42])));
    assert.deepEqual(binary, { kind: 'rejected', reason: 'non-printable byte 0x00 at offset 1' });
    assert.equal(parseQrPacket(packet(new Uint8Array([0xc3, 0xa9]))).kind, 'rejected');
    assert.equal(parseQrPacket(packet('line\nbreak')).kind, 'rejected');
  });

  it('rejects short and truncated reads', () => {
    assert.deepEqual(parseQrPacket(new Uint8Array([5])), { kind: 'rejected', reason: 'short packet (1 bytes)' });
    assert.deepEqual(parseQrPacket(packet('ABCDEF').subarray(0, 5)), {
      kind: 'rejected',
      reason: 'truncated: length 6, 3 content bytes',
    });
  });

  it('rejects what is not a byte buffer without throwing', () => {
    for (const junk of [undefined, null, 'AB', [2, 0, 65, 66], {}]) {
      assert.equal(parseQrPacket(junk as unknown as Uint8Array).kind, 'rejected');
    }
  });

  describe('fuzz (27,000 cases)', () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 254 });

    it('never throws on 10,000 random 256-byte buffers', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 256, maxLength: 256 }), (bytes) => assertWellFormed(parseQrPacket(bytes))),
        { numRuns: 10_000 },
      );
    });

    it('never throws on 3,000 random buffers whose length field is near the limit', () => {
      const nearLimit = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.uint8Array({ minLength: 0, maxLength: 300 }));
      fc.assert(
        fc.property(nearLimit, ([length, body]) => {
          const bytes = new Uint8Array(2 + body.length);
          bytes.set([length & 0xff, length >> 8]);
          bytes.set(body, 2);
          assertWellFormed(parseQrPacket(bytes));
        }),
        { numRuns: 3_000 },
      );
    });

    it('returns exactly the content of 4,000 valid packets', () => {
      fc.assert(
        fc.property(printable, (text) => {
          assert.deepEqual(parseQrPacket(packet(text)), { kind: 'code', text });
        }),
        { numRuns: 4_000 },
      );
    });

    it('never throws on 10,000 mutated valid packets, and any code it returns is the declared length', () => {
      const mutation = fc.record({ index: fc.integer({ min: 0, max: 255 }), value: fc.integer({ min: 0, max: 255 }) });
      fc.assert(
        fc.property(printable, fc.array(mutation, { minLength: 1, maxLength: 8 }), (text, mutations) => {
          const bytes = packet(text);
          for (const { index, value } of mutations) bytes[index] = value;
          const result = parseQrPacket(bytes);
          assertWellFormed(result);
          if (result.kind === 'code') assert.equal(result.text.length, (bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8));
        }),
        { numRuns: 10_000 },
      );
    });
  });
});
