/**
 * One process per data directory (issue 8: two `npm start` on one directory wrote the
 * same gate journals). The owner holds a lock file naming its pid; a second process
 * gets DirectoryLockedError naming the directory and the holder. A lock left by a
 * process that died (kill -9, power cut) is stale and taken over: its pid is gone, or
 * it was written in an earlier boot (pids repeat across reboots, on a Pi even exactly).
 * Synchronous: it runs once at start-up, before anything else touches the directory.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = '.faregate.lock';

interface LockContent {
  pid: number;
  owner: string;
  host: string;
  bootId: string | null;
  since: string;
}

/** Another live process holds the directory. */
export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
  constructor(
    readonly dir: string,
    readonly holder: Partial<LockContent>,
  ) {
    super(
      `${dir} is in use by process ${holder.pid ?? '?'} (${holder.owner ? `${holder.owner} ` : ''}since ${holder.since ?? '?'}); ` +
        `only one process may use a data directory. Stop that process, or give this one its own directory (lock file ${join(dir, LOCK_FILE)})`,
    );
  }
}

/** Paths this process holds: a second acquire in the same process is refused too. */
const heldHere = new Set<string>();

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null; // not Linux: pid liveness alone decides
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, but another user's
  }
}

function readHolder(path: string): Partial<LockContent> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return {}; // torn by a crash while it was written: nobody can hold it
  }
}

export class DirectoryLock {
  private held = false;

  /** `owner` says who holds it in the message a second process gets, e.g. 'validator gate-1'. */
  constructor(
    readonly dir: string,
    private readonly owner: string,
  ) {}

  get path(): string {
    return join(this.dir, LOCK_FILE);
  }

  /** Takes the lock (creating the directory); throws DirectoryLockedError if a live process holds it. */
  acquire(): void {
    if (this.held) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 2; attempt++) {
      if (this.tryCreate()) {
        this.held = true;
        heldHere.add(this.path);
        return;
      }
      const holder = readHolder(this.path);
      if (holder === undefined) continue; // released meanwhile
      if (!this.isStale(holder)) throw new DirectoryLockedError(this.dir, holder);
      try {
        unlinkSync(this.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    throw new DirectoryLockedError(this.dir, readHolder(this.path) ?? {});
  }

  /** Gives the lock up; only removes the file while it is still ours. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    heldHere.delete(this.path);
    if (readHolder(this.path)?.pid !== process.pid) return;
    try {
      unlinkSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private tryCreate(): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    try {
      const content: LockContent = { pid: process.pid, owner: this.owner, host: hostname(), bootId: bootId(), since: new Date().toISOString() };
      writeSync(fd, `${JSON.stringify(content)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return true;
  }

  private isStale(holder: Partial<LockContent>): boolean {
    if (typeof holder.pid !== 'number') return true;
    const boot = bootId();
    if (holder.bootId && boot && holder.bootId !== boot) return true; // written before a reboot
    if (holder.pid === process.pid) return !heldHere.has(this.path); // our pid, an earlier incarnation
    return !alive(holder.pid);
  }
}
