/**
 * Argument parsing every Faregate command line shares: strict options, input errors
 * (UsageError) that print one clear line on stderr and exit with code 2, and readers
 * for the argument types (ISO times, files, lists).
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

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

export function parseIsoTime(value: string, name: string): Date {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new UsageError(`--${name}: "${value}" is not an ISO 8601 time (e.g. 2026-11-27T08:00:00Z)`);
  }
  return new Date(ms);
}

export function readTextFile(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
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
