/**
 * The journal's one way to the disk: the few file-system calls it makes, behind a small
 * port so that tests can make the card full (ENOSPC) or dead (EIO) at any call
 * (`testing/faulty-journal-fs.ts`). Production uses `nodeJournalFs`, the real
 * node:fs/promises, unchanged.
 */
import * as fsp from 'node:fs/promises';

/** An open file: what the journal does with node's FileHandle. */
export interface JournalFile {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  writeFile(data: string): Promise<void>;
  truncate(length: number): Promise<void>;
  datasync(): Promise<void>;
  /** fsync; on a directory handle it makes created, renamed and removed names durable. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface JournalFs {
  /** Creates the directory and its parents; no error if it exists. */
  mkdir(path: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  readdir(path: string): Promise<string[]>;
  /** `flags` as node's: 'r', 'r+', 'w'. */
  open(path: string, flags: 'r' | 'r+' | 'w', mode?: number): Promise<JournalFile>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  stat(path: string): Promise<{ mtimeMs: number }>;
}

export const nodeJournalFs: JournalFs = {
  mkdir: async (path) => {
    await fsp.mkdir(path, { recursive: true, mode: 0o700 });
  },
  readFile: (path) => fsp.readFile(path),
  readdir: (path) => fsp.readdir(path),
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  unlink: (path) => fsp.unlink(path),
  rename: (from, to) => fsp.rename(from, to),
  stat: (path) => fsp.stat(path),
};

/** True for the error a missing file gives. */
export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
