/**
 * The file-system half of checking a config before start: a file the service will
 * read must be readable now, a directory it will write must be writable (or creatable)
 * now — so the operator sees every such problem listed at once, exit 2, instead of
 * the first one as a failed start.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const WHY: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
};

const why = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined ? (error as Error).message : `${WHY[code] ?? 'cannot be read'} (${code})`;
};

/** The file's text, or the problem reading it. */
export function readConfigFile(path: string): { text: string } | { problem: string } {
  const result = readConfigBytes(path);
  return 'bytes' in result ? { text: Buffer.from(result.bytes).toString('utf8') } : result;
}

/** The file's bytes, or the problem reading it. */
export function readConfigBytes(path: string): { bytes: Uint8Array } | { problem: string } {
  try {
    return { bytes: new Uint8Array(readFileSync(path)) };
  } catch (error) {
    return { problem: `${path}: ${why(error)}` };
  }
}

/** Undefined when `path` is a writable directory, or one that can be created (its nearest existing parent is writable). */
export function writableDirectoryProblem(path: string): string | undefined {
  const target = resolve(path);
  let current = target;
  for (;;) {
    const where = current === target ? '' : `${current} `;
    try {
      if (!statSync(current).isDirectory()) return `${path}: ${where}is not a directory`;
      accessSync(current, constants.W_OK | constants.X_OK);
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return `${path}: ${where}${why(error)}`;
      const parent = dirname(current);
      if (parent === current) return `${path}: no existing parent directory`;
      current = parent;
    }
  }
}
