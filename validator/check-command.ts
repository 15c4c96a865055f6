/**
 * `npm run validator -- check`: the ticket check from the command line. Codes come
 * as arguments or one per line on stdin (a whole line is one code: Base45 has
 * spaces), are checked in order with one shared anti-passback state, and each
 * gives one JSON line on stdout.
 */
import { createInterface } from 'node:readline';
import { MODES, type Mode } from '../protocol/ticket/claims.ts';
import { parseCommandArgs, parseIsoTime, required, UsageError } from '../scripts/cli/cli-support.ts';
import { DEFAULT_CHECK_SETTINGS } from './check/check-settings.ts';
import { trustStoreFromKeysDir } from './check/load-keys-dir.ts';
import { PassbackState } from './check/passback-state.ts';
import { TicketChecker, type Direction, type GateContext } from './check/ticket-checker.ts';

export async function checkCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      keys: { type: 'string' },
      zone: { type: 'string' },
      mode: { type: 'string' },
      station: { type: 'string' },
      direction: { type: 'string', default: 'entry' },
      at: { type: 'string' },
    },
    true,
  );
  const zoneText = required(values, 'zone');
  if (!/^\d+$/.test(zoneText)) throw new UsageError(`--zone: "${zoneText}" is not a zone number`);
  const mode = required(values, 'mode');
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode: must be one of ${MODES.join(', ')}`);
  const direction = values.direction as string;
  if (direction !== 'entry' && direction !== 'exit') throw new UsageError('--direction: must be entry or exit');
  const gate: GateContext = { station: required(values, 'station'), zone: Number(zoneText), mode: mode as Mode, direction: direction as Direction };
  const pinned = values.at === undefined ? undefined : parseIsoTime(values.at as string, 'at').getTime() / 1000;
  const checker = new TicketChecker(trustStoreFromKeysDir(required(values, 'keys')), new PassbackState(), DEFAULT_CHECK_SETTINGS);
  const checkOne = (code: string): void => {
    // The CLI trusts --at, or the system clock (ticket-format.md, clock_untrusted).
    const clock = { seconds: pinned ?? Date.now() / 1000, trusted: true };
    process.stdout.write(`${JSON.stringify(checker.check(code, gate, clock))}\n`);
  };
  if (positionals.length > 0) {
    positionals.forEach(checkOne);
    return;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length > 0) checkOne(line);
  }
}
