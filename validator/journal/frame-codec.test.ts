import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFrame, findNextFrame, FRAME_HEADER_BYTES, MAX_PAYLOAD_BYTES, readFrameAt } from './frame-codec.ts';

describe('journal frames', () => {
  it('reads back every frame of a file written frame after frame', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 20 }), (payloads) => {
        const file = Buffer.concat(payloads.map((payload) => encodeFrame(payload)));
        let offset = 0;
        for (const payload of payloads) {
          const frame = readFrameAt(file, offset);
          assert.ok(frame);
          assert.deepEqual(new Uint8Array(frame.payload), payload);
          offset += frame.length;
        }
        assert.equal(offset, file.length);
        assert.equal(readFrameAt(file, offset), undefined);
      }),
    );
  });

  it('refuses empty and oversized payloads', () => {
    assert.throws(() => encodeFrame(new Uint8Array(0)), RangeError);
    assert.throws(() => encodeFrame(new Uint8Array(MAX_PAYLOAD_BYTES + 1)), RangeError);
  });

  it('treats a truncated frame, a flipped bit and a zero-filled tail as damage', () => {
    const frame = encodeFrame(Buffer.from('a tap record'));
    assert.equal(readFrameAt(frame.subarray(0, frame.length - 1), 0), undefined);
    assert.equal(readFrameAt(frame.subarray(0, 5), 0), undefined);
    for (const index of [0, 4, FRAME_HEADER_BYTES, frame.length - 1]) {
      const damaged = Buffer.from(frame);
      damaged[index] = (damaged[index] ?? 0) ^ 0x10;
      assert.equal(readFrameAt(damaged, 0), undefined, `bit flip at byte ${index}`);
    }
    // crc32 of nothing is 0, so eight zero bytes would look like an empty frame.
    assert.equal(readFrameAt(Buffer.alloc(64), 0), undefined);
  });

  it('finds the next intact frame after garbage', () => {
    const garbage = Buffer.from('\x07\x00\x00\x00garbage that is not a frame');
    const frame = encodeFrame(Buffer.from('after the damage'));
    const file = Buffer.concat([garbage, frame]);
    const found = findNextFrame(file, 1);
    assert.equal(found?.offset, garbage.length);
    assert.equal(found?.payload.toString(), 'after the damage');
    assert.equal(findNextFrame(file, garbage.length + 1), undefined);
  });
});
