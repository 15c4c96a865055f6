/**
 * The Tiny Code Reader's I2C packet: 256 bytes read with `i2cRead`, a little-endian uint16
 * content length, then up to 254 content bytes, zero padded. The content is hostile input, so
 * this parser bounds everything and never throws.
 */
export const QR_PACKET_SIZE = 256;
export const QR_MAX_CONTENT = QR_PACKET_SIZE - 2;

export type QrPacket =
  | { kind: 'empty' }
  | { kind: 'code'; text: string }
  | { kind: 'rejected'; reason: string };

/**
 * Parses one packet. Only printable ASCII (0x20-0x7E) content is accepted: ticket codes are
 * Base45, and anything else (binary QR payloads, line noise on the bus) is no ticket.
 */
export function parseQrPacket(packet: Uint8Array): QrPacket {
  if (!(packet instanceof Uint8Array)) return { kind: 'rejected', reason: 'not a byte buffer' };
  if (packet.length < 2) return { kind: 'rejected', reason: `short packet (${packet.length} bytes)` };
  const length = (packet[0] ?? 0) | ((packet[1] ?? 0) << 8);
  if (length === 0) return { kind: 'empty' };
  if (length > QR_MAX_CONTENT) return { kind: 'rejected', reason: `length ${length} exceeds ${QR_MAX_CONTENT}` };
  if (2 + length > packet.length) {
    return { kind: 'rejected', reason: `truncated: length ${length}, ${packet.length - 2} content bytes` };
  }
  let text = '';
  for (let offset = 0; offset < length; offset++) {
    const byte = packet[2 + offset] ?? 0;
    if (byte < 0x20 || byte > 0x7e) {
      return { kind: 'rejected', reason: `non-printable byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset}` };
    }
    text += String.fromCharCode(byte);
  }
  return { kind: 'code', text };
}
