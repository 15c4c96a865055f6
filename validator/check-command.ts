/**
 * `npm run validator -- check`: the ticket check from the command line. Codes come
 * as arguments or one per line on stdin (a whole line is one code: Base45 has
 * spaces), are checked in order with one shared anti-passback state, and each
 * gives one JSON line on stdout.
 */
import { createInterface } from 'node:readline';
import { parseCommandArgs, parseIsoTime, required } from '../runtime/cli/args.ts';
import { GATE_PLACE_OPTIONS, parseGatePlace } from '../runtime/cli/gate-place.ts';
import { DEFAULT_CHECK_SETTINGS } from '../protocol/bundles/check-settings.ts';
import { trustStoreFromKeysDir } from './check/load-keys-dir.ts';
import { PassbackState } from './check/passback-state.ts';
import { TicketChecker, type GateContext } from './check/ticket-checker.ts';

export async function checkCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      keys: { type: 'string' },
      ...GATE_PLACE_OPTIONS,
      station: { type: 'string' },
      at: { type: 'string' },
    },
    true,
  );
  const gate: GateContext = { station: required(values, 'station'), ...parseGatePlace(values) };
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
