/**
 * What every Faregate command line shares: strict argument parsing, input errors
 * that print one clear line on stderr and exit with code 2, and readers for the
 * argument types (ISO times, PEM files, lists).
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MODES, type Mode } from '../../protocol/ticket/claims.ts';
import type { Direction } from '../../protocol/uplink/tap-record.ts';

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

/** The options that place a gate: --zone, --mode, --direction (entry by default). */
export const GATE_PLACE_OPTIONS = {
  zone: { type: 'string' },
  mode: { type: 'string' },
  direction: { type: 'string', default: 'entry' },
} as const satisfies Options;

export function parseGatePlace(values: Record<string, unknown>): { zone: number; mode: Mode; direction: Direction } {
  const zone = required(values, 'zone');
  if (!/^\d+$/.test(zone)) throw new UsageError(`--zone: "${zone}" is not a zone number`);
  const mode = required(values, 'mode');
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode: must be one of ${MODES.join(', ')}`);
  const direction = values.direction;
  if (direction !== 'entry' && direction !== 'exit') throw new UsageError('--direction: must be entry or exit');
  return { zone: Number(zone), mode: mode as Mode, direction };
}

/** Runs `commands[argv[2]]` with the rest of the arguments, as `runCli` does with a main. */
export async function runCommands(
  name: string,
  usage: string,
  commands: Record<string, (args: string[]) => Promise<void> | void>,
  inputErrors: Array<new (...args: never[]) => Error>,
): Promise<void> {
  await runCli(
    name,
    async () => {
      const [command, ...rest] = process.argv.slice(2);
      const handler = command === undefined ? undefined : commands[command];
      if (!handler) throw new UsageError(`${command === undefined ? 'no command' : `unknown command "${command}"`}\n${usage}`);
      await handler(rest);
    },
    inputErrors,
  );
}

/**
 * Runs a CLI main: errors named in `inputErrors` (and UsageError) are the user's
 * input → one line, exit 2; anything else is a bug → the stack, exit 1.
 */
export async function runCli(
  name: string,
  main: () => Promise<void> | void,
  inputErrors: Array<new (...args: never[]) => Error>,
): Promise<void> {
  try {
    await main();
  } catch (error) {
    const isInput = error instanceof UsageError || inputErrors.some((type) => error instanceof type);
    if (isInput) {
      process.stderr.write(`${name}: ${(error as Error).message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${name}: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
