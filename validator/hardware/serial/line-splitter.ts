/**
 * Splits a scanner's byte stream into codes, one per line, with a bound on memory. Pure, so the
 * edge cases (chunk boundaries, CRLF, over-long lines) are tested without streams.
 */
export type LineEvent = { kind: 'line'; text: string } | { kind: 'dropped'; reason: string };

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(private readonly maxLineBytes: number) {}

  /**
   * Feeds a chunk; returns the complete lines it ended and the reasons for lines dropped. CR, LF
   * and CRLF all end a line (scanners ship with CR or CRLF suffixes) and empty lines are skipped;
   * spaces are kept, leading and trailing: Base45 text contains them.
   */
  push(chunk: Uint8Array): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== LF && byte !== CR) continue;
      this.append(chunk.subarray(start, i), events);
      start = i + 1;
      this.endLine(events);
    }
    this.append(chunk.subarray(start), events);
    return events;
  }

  private append(piece: Uint8Array, events: LineEvent[]): void {
    if (this.discarding || piece.length === 0) return;
    if (this.size + piece.length > this.maxLineBytes) {
      // Report now and drop the rest of the line as it arrives: a stream that never sends a
      // line end must not grow this buffer.
      this.discarding = true;
      this.parts = [];
      this.size = 0;
      events.push({ kind: 'dropped', reason: `line longer than ${this.maxLineBytes} bytes` });
      return;
    }
    this.parts.push(Buffer.from(piece));
    this.size += piece.length;
  }

  private endLine(events: LineEvent[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.size === 0) return;
    const text = Buffer.concat(this.parts).toString('latin1');
    this.parts = [];
    this.size = 0;
    const bad = firstNonPrintable(text);
    if (bad === undefined) events.push({ kind: 'line', text });
    else events.push({ kind: 'dropped', reason: `non-printable byte 0x${bad.toString(16).padStart(2, '0')}` });
  }
}

/** Codes are printable ASCII (Base45 and friends); anything else is no ticket. */
function firstNonPrintable(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return code;
  }
  return undefined;
}
