import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { PartSequence, type Part } from './lifecycle.ts';

function recordingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

function parts(events: string[], failures: { start?: string; stop?: string[] } = {}): Part[] {
  return ['a', 'b', 'c'].map((name) => ({
    name,
    start: async () => {
      if (failures.start === name) throw new Error(`${name} cannot start`);
      events.push(`start ${name}`);
    },
    stop: async () => {
      events.push(`stop ${name}`);
      if (failures.stop?.includes(name)) throw new Error(`${name} stuck`);
    },
  }));
}

describe('PartSequence', () => {
  it('starts parts in order and stops them in reverse', async () => {
    const events: string[] = [];
    const sequence = new PartSequence('test', recordingLogger().logger);
    await sequence.start(parts(events));
    assert.equal(sequence.running, true);
    await sequence.stop();
    assert.deepEqual(events, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
    assert.equal(sequence.running, false);
  });

  it('stops the parts already started when one fails to start, logs it and rethrows its error', async () => {
    const events: string[] = [];
    const { logger, lines } = recordingLogger();
    const sequence = new PartSequence('test', logger);
    await assert.rejects(sequence.start(parts(events, { start: 'c' })), /c cannot start/);
    assert.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);
    assert.ok(lines.some((line) => line.part === 'c' && line.msg === 'test start-up failed'));
  });

  it('stops every part even when some fail to stop, logs each failure and reports them all', async () => {
    const events: string[] = [];
    const { logger, lines } = recordingLogger();
    const sequence = new PartSequence('test', logger);
    await sequence.start(parts(events, { stop: ['c', 'b'] }));
    const error = await sequence.stop().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof AggregateError);
    assert.deepEqual(
      error.errors.map((e: Error) => e.message),
      ['c stuck', 'b stuck'],
    );
    assert.deepEqual(events.slice(3), ['stop c', 'stop b', 'stop a']);
    assert.deepEqual(
      lines.filter((line) => line.msg === 'test part failed to stop').map((line) => line.part),
      ['c', 'b'],
    );
  });

  it('does nothing on a second stop', async () => {
    const events: string[] = [];
    const sequence = new PartSequence('test', recordingLogger().logger);
    await sequence.start(parts(events));
    await sequence.stop();
    await sequence.stop();
    assert.equal(events.filter((e) => e.startsWith('stop')).length, 3);
  });
});
