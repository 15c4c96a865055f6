/**
 * The on-disk frame of one journal record: `[u32 length][u32 crc32(payload)][payload]`,
 * little-endian. The CRC is what tells a record that reached the card from the torn
 * tail of a write that a power cut interrupted (garbage, zeros, or half a frame).
 */
import { crc32 } from './crc32.ts';

export const FRAME_HEADER_BYTES = 8;
/** A record is a few hundred bytes; anything longer in a header is damage, not data. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export interface Frame {
  /** Offset of the frame's header in the scanned buffer. */
  offset: number;
  /** Header + payload bytes. */
  length: number;
  payload: Buffer;
}

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length === 0 || payload.length > MAX_PAYLOAD_BYTES) {
    throw new RangeError(`journal payload of ${payload.length} bytes is outside 1..${MAX_PAYLOAD_BYTES}`);
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  // Copy: an encoder may hand out a view of a buffer it reuses later.
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * The frame at `offset`, or undefined when the bytes there are not a whole, intact
 * frame. Length 0 is refused on purpose: a zero-filled tail (a common result of a
 * power cut on ext4/FAT) would otherwise pass, since crc32 of nothing is 0.
 */
export function readFrameAt(buf: Buffer, offset: number): Frame | undefined {
  if (offset + FRAME_HEADER_BYTES > buf.length) return undefined;
  const length = buf.readUInt32LE(offset);
  if (length === 0 || length > MAX_PAYLOAD_BYTES) return undefined;
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > buf.length) return undefined;
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, end);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return undefined;
  return { offset, length: FRAME_HEADER_BYTES + length, payload };
}

/**
 * Byte-by-byte search for the next intact frame after damage. Used only at recovery,
 * to learn the sequence numbers of records that lie beyond a damaged one (so they are
 * never issued again); the length bound rejects almost every position before any CRC.
 */
export function findNextFrame(buf: Buffer, from: number): Frame | undefined {
  for (let offset = from; offset + FRAME_HEADER_BYTES < buf.length; offset++) {
    const frame = readFrameAt(buf, offset);
    if (frame) return frame;
  }
  return undefined;
}
