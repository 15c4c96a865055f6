/**
 * The file operations a keys command makes, behind a small port: node:fs in the CLI
 * and the gateway, a fault-injecting one in tests (tests run as root, and a chmod'ed
 * directory does not stop root, so a full or read-only disk is simulated here).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';

export interface KeysFs {
  /** Creates `path` (it must not exist) with `data`, flushed to disk. */
  createFile(path: string, data: Uint8Array, mode: number): void;
  /** Overwrites an existing file in place with `data` (same length: no new blocks), flushed. */
  overwriteFile(path: string, data: Uint8Array): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  mkdir(path: string, mode: number): void;
  rmdir(path: string): void;
  /** Makes created, renamed or removed entries of `dir` survive a power cut. */
  fsyncDir(dir: string): void;
  fileSize(path: string): number;
}

function writeAll(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
  fsyncSync(fd);
}

function withFd<T>(path: string, flags: string, mode: number | undefined, use: (fd: number) => T): T {
  const fd = openSync(path, flags, mode);
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

export const nodeKeysFs: KeysFs = {
  createFile: (path, data, mode) => withFd(path, 'wx', mode, (fd) => writeAll(fd, data)),
  overwriteFile: (path, data) => withFd(path, 'r+', undefined, (fd) => writeAll(fd, data)),
  rename: (from, to) => renameSync(from, to),
  unlink: (path) => unlinkSync(path),
  mkdir: (path, mode) => void mkdirSync(path, { mode }),
  rmdir: (path) => rmdirSync(path),
  fsyncDir: (dir) => withFd(dir, 'r', undefined, (fd) => fsyncSync(fd)),
  fileSize: (path) => statSync(path).size,
};
