import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readConfigBytes, readConfigFile, writableDirectoryProblem } from './config-paths.ts';
import { makeTempDir } from './testing/temp-dir.ts';

describe('config paths', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeEach(async () => ({ dir, remove } = await makeTempDir('config-paths')));
  afterEach(() => remove());

  it('reads a file, or says which path cannot be read and why', () => {
    writeFileSync(join(dir, 'key.pem'), 'text');
    assert.deepEqual(readConfigFile(join(dir, 'key.pem')), { text: 'text' });
    assert.deepEqual(readConfigBytes(join(dir, 'key.pem')), { bytes: new Uint8Array(Buffer.from('text')) });
    assert.deepEqual(readConfigFile(join(dir, 'missing.pem')), { problem: `${join(dir, 'missing.pem')}: does not exist (ENOENT)` });
    assert.deepEqual(readConfigFile(dir), { problem: `${dir}: is a directory, not a file (EISDIR)` });
  });

  it('accepts an existing directory and one that can be created below an existing one', () => {
    assert.equal(writableDirectoryProblem(dir), undefined);
    assert.equal(writableDirectoryProblem(join(dir, 'a', 'b', 'c')), undefined);
  });

  it('refuses a directory where a file is in the way', () => {
    writeFileSync(join(dir, 'file'), '');
    assert.equal(writableDirectoryProblem(join(dir, 'file')), `${join(dir, 'file')}: is not a directory`);
    assert.equal(writableDirectoryProblem(join(dir, 'file', 'state')), `${join(dir, 'file', 'state')}: a part of the path is not a directory (ENOTDIR)`);
    mkdirSync(join(dir, 'ok'));
    assert.equal(writableDirectoryProblem(join(dir, 'ok')), undefined);
  });
});
