import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describeLedgerContract, type LedgerHarness } from './ledger-contract.ts';
import { SQLITE_MIGRATIONS } from './sqlite-schema.ts';
import { SqliteLedger } from './sqlite-ledger.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'faregate-ledger-'));
}

async function sqliteHarness(): Promise<LedgerHarness> {
  const dir = tempDir();
  const path = join(dir, 'ledger.db');
  return {
    migrations: SQLITE_MIGRATIONS,
    open: (options = {}) => new SqliteLedger({ path, ...options }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

describeLedgerContract('SQLite', sqliteHarness);

/** Runs the child until it has printed `batches` committed seqs, then SIGKILLs it. */
async function killAfter(path: string, synchronous: 'FULL' | 'NORMAL', batches: number): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./sqlite-kill-child.ts', import.meta.url)), path, synchronous], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.split('\n').length > batches) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
  });
  assert.equal(await exited, 'SIGKILL');
  // A line cut by the kill has no newline yet: only whole lines are claims.
  return stdout.split('\n').slice(0, -1).map(Number);
}

describe('SqliteLedger on disk', () => {
  for (const synchronous of ['NORMAL', 'FULL'] as const) {
    it(`keeps every batch it reported committed when the process is killed with -9 (synchronous=${synchronous})`, async () => {
      const dir = tempDir();
      try {
        const path = join(dir, 'ledger.db');
        const printed = await killAfter(path, synchronous, 200);
        assert.ok(printed.length >= 200);
        const ledger = new SqliteLedger({ path });
        await ledger.start();
        try {
          const last = Math.max(...printed);
          const progress = await ledger.deviceProgress('gate-k');
          assert.ok(progress.contiguousThrough >= last, `watermark ${progress.contiguousThrough} below printed ${last}`);
          assert.equal(progress.highestSeq, progress.contiguousThrough, 'progress row and records agree');
          assert.deepEqual(await ledger.gaps(), []);
          const stored = new Set<number>();
          for (let page = await ledger.taps({ device: 'gate-k', limit: 10_000 }); ; ) {
            for (const r of page.records) stored.add(r.seq);
            if (page.nextCursor === null) break;
            page = await ledger.taps({ device: 'gate-k', limit: 10_000, cursor: page.nextCursor });
          }
          for (const seq of printed) assert.ok(stored.has(seq), `printed seq ${seq} is missing`);
          assert.equal(stored.size, progress.contiguousThrough);
        } finally {
          await ledger.stop();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('puts the file in WAL mode', async () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'ledger.db');
      const ledger = new SqliteLedger({ path, synchronous: 'NORMAL' });
      await ledger.start();
      await ledger.stop();
      const db = new Database(path, { readonly: true });
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite ledger files', () => {
  it('are the owner’s only (0600, with -wal and -shm), and an older 0644 ledger is narrowed on start', async () => {
    const previous = process.umask(0o022);
    const dir = mkdtempSync(join(tmpdir(), 'faregate-ledger-mode-'));
    try {
      const path = join(dir, 'ledger.sqlite');
      const ledger = new SqliteLedger({ path });
      await ledger.start();
      await ledger.insertApiToken({ id: 't', name: 'n', tokenHash: 'h', scopes: ['read'], createdAt: 1 });
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(statSync(file).mode & 0o777, 0o600, file);
      await ledger.stop();
      chmodSync(path, 0o644);
      await ledger.start();
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal((await ledger.listApiTokens()).length, 1);
      await ledger.stop();
    } finally {
      process.umask(previous);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
