/**
 * The validity window of `keys issue`: `--from` (default now) and exactly one of
 * `--until` or `--valid-for`. A relative window is what makes an example or a
 * script work on any day, where fixed dates soon lie in the past.
 */
import { parseIsoTime, UsageError } from '../runtime/cli/args.ts';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `90s`, `15m`, `2h`, `1d`: a whole positive number and one unit. */
export function parseDurationSeconds(value: string, name: string): number {
  const match = /^(\d+)([smhd])$/.exec(value);
  const amount = match ? Number(match[1]) : 0;
  if (!match || amount < 1 || !Number.isSafeInteger(amount)) {
    throw new UsageError(`--${name}: "${value}" is not a duration (a whole number and s, m, h or d, e.g. 2h or 1d)`);
  }
  return amount * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

export interface ValidityValues {
  from?: string | undefined;
  until?: string | undefined;
  validFor?: string | undefined;
}

/** Unix seconds of the window; `nowSeconds` is used when `--from` is absent. */
export function parseValidity(values: ValidityValues, nowSeconds: number): { validFrom: number; validUntil: number } {
  if ((values.until === undefined) === (values.validFor === undefined)) {
    throw new UsageError('give exactly one of --until and --valid-for');
  }
  const validFrom = values.from === undefined ? Math.floor(nowSeconds) : Math.floor(parseIsoTime(values.from, 'from').getTime() / 1000);
  const validUntil =
    values.validFor !== undefined
      ? validFrom + parseDurationSeconds(values.validFor, 'valid-for')
      : Math.floor(parseIsoTime(values.until!, 'until').getTime() / 1000);
  return { validFrom, validUntil };
}
