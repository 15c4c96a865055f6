import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatestOnlyWriter } from './latest-only-writer.ts';

describe('latest-only writer', () => {
  it('writes again a value whose previous write failed', async () => {
    const written: string[] = [];
    const errors: string[] = [];
    let fail = true;
    const writer = new LatestOnlyWriter<string>(
      async (value) => {
        if (fail) throw new Error(`failed ${value}`);
        written.push(value);
      },
      (a, b) => a === b,
      (error) => errors.push((error as Error).message),
    );
    writer.resume();
    writer.push('A');
    await writer.idle();
    fail = false;
    writer.push('A');
    await writer.idle();
    assert.deepEqual([written, errors], [['A'], ['failed A']]);
  });

  it('writes a value pushed while the previous write is finishing', async () => {
    const written: string[] = [];
    const writer = new LatestOnlyWriter<string>(
      async (value) => {
        written.push(value);
      },
      (a, b) => a === b,
      () => {},
    );
    writer.resume();
    writer.push('A');
    await Promise.resolve();
    writer.push('B');
    await writer.idle();
    await writer.idle();
    assert.deepEqual(written, ['A', 'B']);
  });

  it('survives an error reporter that throws', async () => {
    const writer = new LatestOnlyWriter<string>(
      async () => {
        throw new Error('device');
      },
      (a, b) => a === b,
      () => {
        throw new Error('logger');
      },
    );
    writer.resume();
    writer.push('A');
    await writer.idle();
  });
});
