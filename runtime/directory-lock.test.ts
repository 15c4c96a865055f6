import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DirectoryLock, DirectoryLockedError, LOCK_FILE } from './directory-lock.ts';

const root = mkdtempSync(join(tmpdir(), 'faregate-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `dir-${++n}`);

/** The pid of a process that has exited: nobody holds a lock under it. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

describe('directory lock', () => {
  it('creates the directory and a lock file naming this process, and removes it on release', () => {
    const dir = freshDir();
    const lock = new DirectoryLock(dir, 'validator gate-1');
    lock.acquire();
    const content = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; owner: string };
    assert.equal(content.pid, process.pid);
    assert.equal(content.owner, 'validator gate-1');
    lock.release();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });

  it('refuses a second holder in the same process, naming the directory and the holder', () => {
    const dir = freshDir();
    const first = new DirectoryLock(dir, 'gateway');
    first.acquire();
    try {
      assert.throws(() => new DirectoryLock(dir, 'gateway').acquire(), (error: unknown) => {
        assert.ok(error instanceof DirectoryLockedError);
        assert.equal(error.dir, dir);
        assert.match(error.message, new RegExp(`^${dir} is in use by process ${process.pid} \\(gateway since `));
        return true;
      });
    } finally {
      first.release();
    }
  });

  it('refuses a directory held by another live process', async () => {
    const dir = freshDir();
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { DirectoryLock } = await import(${JSON.stringify(new URL('./directory-lock.ts', import.meta.url).href)});
      new DirectoryLock(${JSON.stringify(dir)}, 'other').acquire();
      console.log('held');
      setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      assert.throws(() => new DirectoryLock(dir, 'me').acquire(), new RegExp(`in use by process ${holder.pid} \\(other`));
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('close', resolve));
    }
    // Killed with -9: its lock is stale now and taken over.
    const lock = new DirectoryLock(dir, 'me');
    lock.acquire();
    lock.release();
  });

  it('takes over a lock whose process is gone, one from an earlier boot, and a torn one', () => {
    const dir = freshDir();
    new DirectoryLock(dir, 'setup').acquire(); // creates the directory; then overwritten below
    const cases = [
      JSON.stringify({ pid: deadPid(), owner: 'crashed', since: '2026-01-01T00:00:00Z' }),
      JSON.stringify({ pid: 1, owner: 'before the reboot', bootId: 'another-boot', since: '2026-01-01T00:00:00Z' }),
      '{"pid": 12',
    ];
    for (const content of cases) {
      writeFileSync(join(dir, LOCK_FILE), content);
      const lock = new DirectoryLock(dir, 'me');
      lock.acquire();
      assert.equal((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { owner: string }).owner, 'me', content);
      lock.release();
    }
  });
});
