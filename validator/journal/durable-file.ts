/**
 * Small state files replaced crash-safely — temp file, fdatasync, rename, fsync of the
 * directory (hardware.md, SD-card wear) — so a power cut leaves either the old or the
 * new content, never a torn file.
 */
import { join } from 'node:path';
import { isMissing, type JournalFs } from './journal-fs.ts';

export async function writeDurably(fs: JournalFs, dir: string, name: string, text: string): Promise<void> {
  // One writer per journal directory (the state directory is locked), so a fixed temp
  // name is enough; a leftover from a crash is simply overwritten.
  const temp = join(dir, `${name}.tmp`);
  const handle = await fs.open(temp, 'w', 0o644);
  try {
    await handle.writeFile(text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, join(dir, name));
  await fsyncDirectory(fs, dir);
}

/** The file's text, or undefined when it does not exist. */
export async function readIfPresent(fs: JournalFs, dir: string, name: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(join(dir, name))).toString('utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Makes a created, renamed or removed directory entry survive a power cut. */
export async function fsyncDirectory(fs: JournalFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
