import assert from 'node:assert/strict';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { writeFileAtomic, writeFileAtomicAsync } from './atomic-file.ts';
import { makePrivateDir, makePrivateFile } from './private-files.ts';
import { makeTempDir } from './testing/temp-dir.ts';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('private data files', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let umask: number;
  beforeEach(async () => {
    ({ dir, remove } = await makeTempDir('private'));
    umask = process.umask(0o022); // the usual umask, which alone would leave files 0644
  });
  afterEach(async () => {
    process.umask(umask);
    await remove();
  });

  it('creates directories and their missing parents 0700', () => {
    const nested = join(dir, 'a', 'b');
    makePrivateDir(nested);
    assert.equal(modeOf(join(dir, 'a')), 0o700);
    assert.equal(modeOf(nested), 0o700);
  });

  it('creates a missing file 0600 and narrows an older one and its companions, keeping their content', () => {
    const fresh = join(dir, 'fresh.db');
    makePrivateFile(fresh);
    assert.equal(modeOf(fresh), 0o600);
    const old = join(dir, 'old.db');
    writeFileSync(old, 'kept');
    writeFileSync(`${old}-wal`, 'wal');
    chmodSync(old, 0o644);
    chmodSync(`${old}-wal`, 0o644);
    makePrivateFile(old, [`${old}-wal`, `${old}-shm`]);
    assert.equal(modeOf(old), 0o600);
    assert.equal(modeOf(`${old}-wal`), 0o600);
    assert.equal(statSync(old).size, 4);
  });

  it('writes atomic files 0600 unless a mode is given', async () => {
    writeFileAtomic(join(dir, 'state.json'), '{}');
    await writeFileAtomicAsync(join(dir, 'acked.json'), '{}');
    writeFileAtomic(join(dir, 'report.csv'), 'a,b\n', 0o644);
    assert.equal(modeOf(join(dir, 'state.json')), 0o600);
    assert.equal(modeOf(join(dir, 'acked.json')), 0o600);
    assert.equal(modeOf(join(dir, 'report.csv')), 0o644);
  });
});
