import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, hashPrefix } from './logger.ts';

function logOnce(fields: Record<string, unknown>): Record<string, unknown> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  // pino with a plain stream destination writes synchronously.
  createLogger('info', 'test', sink).info(fields, 'line');
  assert.equal(lines.length, 1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('service logs', () => {
  it("keeps an error's errno code (ENOSPC) and message", () => {
    const error = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const line = logOnce({ err: error });
    const err = line.err as Record<string, unknown>;
    assert.equal(err.code, 'ENOSPC');
    assert.equal(err.message, 'no space left on device');
  });

  it('keeps other fields named code (an I2C errno next to the error)', () => {
    assert.equal(logOnce({ code: 'EIO' }).code, 'EIO');
  });

  it('replaces ticket ids, ticket texts and credentials by a hash prefix, at the top and one level down', () => {
    const line = logOnce({ ticketId: '0123456789abcdef', entry: { ticketId: 'fedcba9876543210', seq: 4 }, codeText: 'FT1:ABC', password: 'pw' });
    assert.equal(line.ticketId, hashPrefix('0123456789abcdef'));
    assert.deepEqual(line.entry, { ticketId: hashPrefix('fedcba9876543210'), seq: 4 });
    assert.equal(line.codeText, hashPrefix('FT1:ABC'));
    assert.equal(line.password, hashPrefix('pw'));
    assert.doesNotMatch(JSON.stringify(line), /0123456789abcdef|fedcba9876543210|FT1:ABC/);
  });
});
