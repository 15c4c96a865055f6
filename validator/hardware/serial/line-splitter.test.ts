import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter, type LineEvent } from './line-splitter.ts';

const feed = (splitter: LineSplitter, ...chunks: string[]): LineEvent[] =>
  chunks.flatMap((chunk) => splitter.push(Buffer.from(chunk, 'latin1')));
const lines = (...texts: string[]): LineEvent[] => texts.map((text) => ({ kind: 'line', text }));

describe('scanner line splitter', () => {
  it('keeps spaces inside, before and after a code: Base45 contains them', () => {
    assert.deepEqual(feed(new LineSplitter(100), ' 6BF OXF$ /:* \n'), lines(' 6BF OXF$ /:* '));
  });

  it('strips CRLF, and ends lines on CR or LF alone', () => {
    assert.deepEqual(feed(new LineSplitter(100), 'A B\r\nC D\rE F\n'), lines('A B', 'C D', 'E F'));
  });

  it('joins a line split across chunks, even between CR and LF', () => {
    assert.deepEqual(feed(new LineSplitter(100), 'HC1:', 'NCF OX', 'N\r', '\nNEXT', '\n'), lines('HC1:NCF OXN', 'NEXT'));
  });

  it('skips empty lines', () => {
    assert.deepEqual(feed(new LineSplitter(100), '\r\n\n\r\nA\n\n'), lines('A'));
  });

  it('drops an over-long line as soon as it is too long, and reads the next one', () => {
    const splitter = new LineSplitter(8);
    const events = feed(splitter, '12345', '6789', 'more and more', ' and more\nOK\n');
    assert.deepEqual(events, [{ kind: 'dropped', reason: 'line longer than 8 bytes' }, ...lines('OK')]);
  });

  it('accepts a line of exactly the limit', () => {
    assert.deepEqual(feed(new LineSplitter(8), '12345678\n'), lines('12345678'));
  });

  it('holds no more than the limit while a stream never ends its line', () => {
    const splitter = new LineSplitter(2048);
    const events: LineEvent[] = [];
    for (let i = 0; i < 1000; i++) events.push(...splitter.push(Buffer.alloc(1024, 0x41)));
    assert.equal(events.length, 1);
    assert.deepEqual(feed(splitter, '\nAFTER\n'), lines('AFTER'));
  });

  it('drops a line with control or non-ASCII bytes, saying which', () => {
    assert.deepEqual(feed(new LineSplitter(100), 'A\tB\nC\x1bD\n\xc3\xa9\nOK\n'), [
      { kind: 'dropped', reason: 'non-printable byte 0x09' },
      { kind: 'dropped', reason: 'non-printable byte 0x1b' },
      { kind: 'dropped', reason: 'non-printable byte 0xc3' },
      ...lines('OK'),
    ]);
  });
});
