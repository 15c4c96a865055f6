/**
 * Argument parsing every Faregate command line shares: strict options, input errors
 * (UsageError) that print one clear line on stderr and exit with code 2, and readers
 * for the argument types (ISO times, files, lists).
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { writeFileAtomic } from '../atomic-file.ts';
import { isoTimeProblem, parseIsoTimeMs } from '../iso-time.ts';

/** Bad input from the user: one line on stderr, exit code 2. */
export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs(args: string[], options: Options, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** An ISO 8601 time with a zone (iso-time.ts: the same rule as the HTTP API). */
export function parseIsoTime(value: string, name: string): Date {
  const problem = isoTimeProblem(value);
  if (problem !== undefined) throw new UsageError(`--${name} "${value}": ${problem}`);
  return new Date(parseIsoTimeMs(value));
}

export function readTextFile(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

const ERRNO_MEANING: Record<string, string> = {
  ENOENT: 'no such directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTEMPTY: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** Writes an output file crash-safely; a failure is the user's path → one line, nothing left behind. */
export function writeOutputFile(path: string, data: Uint8Array | string, name: string): void {
  try {
    writeFileAtomic(path, data, 0o644); // the user's own output, e.g. a report to share
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new UsageError(`--${name}: cannot write ${path} (${ERRNO_MEANING[code] ?? code})`);
  }
}

export function parseList(value: string, name: string): string[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new UsageError(`--${name}: empty item in "${value}"`);
  return items;
}

export function parseIntegerList(value: string, name: string): number[] {
  return parseList(value, name).map((item) => {
    if (!/^\d+$/.test(item)) throw new UsageError(`--${name}: "${item}" is not a whole number`);
    return Number(item);
  });
}
