/**
 * Crash-safe file replacement: temp file → fsync → rename → fsync of the directory.
 * A failed or interrupted write leaves the old file whole (hardware.md, SD-card wear;
 * keys CLI: nothing already in the directory is damaged by a failed command), and a
 * failed write leaves no temp file behind.
 *
 * The synchronous form is for CLIs and small state files. The asynchronous one is for
 * paths that must not block the event loop (the journal's state files); it goes
 * through a small file-system port so that the journal's fault tests can make any
 * call fail (ENOSPC, EIO).
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let tempCounter = 0;

/** Unique per write, so two writes of one file never share a temp file. */
function tempPathFor(path: string): string {
  tempCounter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.${tempCounter}.tmp`);
}

/** Removes a temp file after a failed write; the write's own error is the one to report. */
function removeTemp(temp: string): void {
  try {
    unlinkSync(temp);
  } catch {
    // A disk that just failed the write may fail this too; the caller gets the write's error.
  }
}

/** `mode` 0600 unless given: what the services write is theirs alone (private-files.ts). */
export function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o600): void {
  const temp = tempPathFor(path);
  const fd = openSync(temp, 'wx', mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    removeTemp(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    removeTemp(temp);
    throw error;
  }
  fsyncDirectory(dirname(path));
}

/** Makes a created, renamed or removed directory entry survive a power cut. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The calls the asynchronous form makes: node's fs/promises, or a port that injects faults. */
export interface AtomicWriteFs {
  open(path: string, flags: 'r' | 'w', mode?: number): Promise<{ writeFile(data: string): Promise<void>; datasync(): Promise<void>; sync(): Promise<void>; close(): Promise<void> }>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

const nodeFs: AtomicWriteFs = { open: (path, flags, mode) => fsp.open(path, flags, mode), rename: fsp.rename, unlink: fsp.unlink };

/**
 * One writer per file at a time (the journal's state directory is locked and its writes
 * are serialised), so a fixed temp name is enough and a leftover from a crash is simply
 * overwritten by the next write rather than piling up on the card.
 */
export async function writeFileAtomicAsync(path: string, text: string, { mode = 0o600, fs = nodeFs }: { mode?: number; fs?: AtomicWriteFs } = {}): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp`);
  const removeTempAsync = (): Promise<void> =>
    fs.unlink(temp).catch(() => {
      // As removeTemp: the write's own error is the one to report.
    });
  const handle = await fs.open(temp, 'w', mode);
  try {
    await handle.writeFile(text);
    await handle.datasync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await removeTempAsync();
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, path);
  } catch (error) {
    await removeTempAsync();
    throw error;
  }
  await fsyncDirectoryAsync(dirname(path), fs);
}

export async function fsyncDirectoryAsync(dir: string, fs: AtomicWriteFs = nodeFs): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
