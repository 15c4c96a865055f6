/**
 * The journal's small state files, replaced crash-safely by runtime/atomic-file.ts —
 * temp file, fdatasync, rename, fsync of the directory (hardware.md, SD-card wear) — so
 * a power cut leaves either the old or the new content, never a torn file. Through the
 * journal's file-system port, so fault tests reach every call.
 */
import { join } from 'node:path';
import { fsyncDirectoryAsync, writeFileAtomicAsync } from '../../runtime/atomic-file.ts';
import { isMissing, type JournalFs } from './journal-fs.ts';

/** Replaces `dir/name` crash-safely through the journal's file-system port (runtime/atomic-file.ts). */
export async function writeDurably(fs: JournalFs, dir: string, name: string, text: string): Promise<void> {
  await writeFileAtomicAsync(join(dir, name), text, { fs });
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
  await fsyncDirectoryAsync(dir, fs);
}
