import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { writeFileAtomic, writeFileAtomicAsync } from './atomic-file.ts';
import { makeTempDir } from './testing/temp-dir.ts';

describe('atomic file writes', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeEach(async () => ({ dir, remove } = await makeTempDir('atomic')));
  afterEach(() => remove());

  for (const [name, write] of [
    ['sync', async (path: string, data: string, mode?: number) => writeFileAtomic(path, data, mode)],
    ['async', async (path: string, data: string, mode?: number) => writeFileAtomicAsync(path, data, mode === undefined ? {} : { mode })],
  ] as const) {
    it(`replaces the file whole and leaves no temp file (${name})`, async () => {
      const path = join(dir, 'state.json');
      writeFileSync(path, 'old');
      await write(path, 'new contents');
      assert.equal(readFileSync(path, 'utf8'), 'new contents');
      assert.deepEqual(readdirSync(dir), ['state.json']);
    });

    it(`writes with the mode asked for (${name})`, async () => {
      const path = join(dir, 'private.pem');
      await write(path, 'secret', 0o600);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    });

    it(`fails without leaving a temp file when the target cannot be replaced (${name})`, async () => {
      await assert.rejects(async () => write(join(dir, 'missing-dir', 'state.json'), 'new'), { code: 'ENOENT' });
      // A non-empty directory in the file's place: the rename fails after the temp file was written.
      const target = join(dir, 'busy');
      mkdirSync(target);
      writeFileSync(join(target, 'inside'), 'old');
      await assert.rejects(async () => write(target, 'new'));
      assert.deepEqual(readdirSync(dir), ['busy']);
      assert.equal(readFileSync(join(target, 'inside'), 'utf8'), 'old');
    });
  }
});
