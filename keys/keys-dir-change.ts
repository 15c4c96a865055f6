/**
 * One keys command's change to its directory, all or nothing as far as a disk can
 * allow: every new file (keys, bundles, logs, the keyring) is first written in full to
 * a temp file, and only when all are written are they renamed into place, the keyring
 * last. A full disk fails while writing — the temp files are then removed and nothing
 * is changed (renames and removals need no free blocks); a read-only disk fails at the
 * first write. Files to destroy (retired private keys) are overwritten and unlinked
 * only after the rest is in place.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KeysDirError } from './keys-dir.ts';
import { nodeKeysFs, type KeysFs } from './keys-fs.ts';

const FS_PROBLEMS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
};

let tempCounter = 0;

export class KeysDirChange {
  private readonly staged: Array<{ temp: string; target: string; data: Uint8Array }> = [];
  private readonly createdDirs: string[] = [];
  private readonly toDestroy: string[] = [];
  /** The file the current operation is about, for the error message. */
  private current = '';
  private committing = false;

  constructor(private readonly fs: KeysFs) {}

  /** Creates `path` and any missing parents (mode 0700); removed again on abort. */
  mkdir(path: string): void {
    if (existsSync(path)) return;
    const parent = dirname(path);
    if (parent !== path) this.mkdir(parent);
    this.current = path;
    this.fs.mkdir(path, 0o700);
    this.createdDirs.push(path);
  }

  /** A file's content as this change will leave it: the staged version, else the one on disk. */
  readBytes(path: string): Uint8Array {
    const staged = this.staged.findLast(({ target }) => target === path);
    if (staged) return staged.data;
    try {
      return new Uint8Array(readFileSync(path));
    } catch (error) {
      throw new KeysDirError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  readText(path: string): string {
    return Buffer.from(this.readBytes(path)).toString('utf8');
  }

  exists(path: string): boolean {
    return this.staged.some(({ target }) => target === path) || existsSync(path);
  }

  /** Stages `target`'s new content: written now to a temp file, renamed in on commit. */
  write(target: string, data: Uint8Array | string, mode = 0o644): void {
    this.current = target;
    tempCounter += 1;
    const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${tempCounter}.tmp`);
    const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data)) : data;
    this.staged.push({ temp, target, data: bytes });
    this.fs.createFile(temp, bytes, mode);
  }

  /** Overwrites and removes `path` once everything else is in place. */
  destroy(path: string): void {
    if (existsSync(path)) this.toDestroy.push(path);
  }

  commit(): void {
    this.committing = true;
    for (const { temp, target } of this.staged) {
      this.current = target;
      this.fs.rename(temp, target);
    }
    for (const path of this.toDestroy) {
      this.current = path;
      this.fs.overwriteFile(path, randomBytes(this.fs.fileSize(path)));
      this.fs.unlink(path);
    }
    for (const dir of new Set([...this.staged.map(({ target }) => dirname(target)), ...this.toDestroy.map((path) => dirname(path))])) {
      this.current = dir;
      this.fs.fsyncDir(dir);
    }
  }

  /** Removes every temp file and directory this change made; never throws. */
  abort(): void {
    for (const { temp } of this.staged) {
      try {
        if (existsSync(temp)) this.fs.unlink(temp);
      } catch {
        // Best effort: the error that made us abort is the one reported.
      }
    }
    for (const dir of [...this.createdDirs].reverse()) {
      try {
        this.fs.rmdir(dir);
      } catch {
        // Not empty or not removable: left as it is.
      }
    }
  }

  /** A file-system error as one line naming the file and whether anything changed. */
  describe(error: unknown): Error {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined || !(code in FS_PROBLEMS)) return error as Error;
    const outcome = this.committing ? 'the change may be partly made' : 'nothing was changed';
    return new KeysDirError(`cannot write ${this.current}: ${code} (${FS_PROBLEMS[code]}); ${outcome}`);
  }
}

/** Runs `make` against a new change and commits it; on any error nothing staged is left behind. */
export function changeKeysDir<T>(make: (change: KeysDirChange) => T, fs: KeysFs = nodeKeysFs): T {
  const change = new KeysDirChange(fs);
  try {
    const result = make(change);
    change.commit();
    return result;
  } catch (error) {
    change.abort();
    throw change.describe(error);
  }
}
