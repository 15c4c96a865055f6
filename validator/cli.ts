/** `npm run validator -- <command>`: the gate validator's command line. */
import { BundleError } from '../protocol/bundles/signed-bundle.ts';
import { KeyError } from '../protocol/ticket/ed25519.ts';
import { KeysDirError } from '../keys/keys-dir.ts';
import { runCommands } from '../runtime/cli/run-commands.ts';
import { checkCommand } from './check-command.ts';
import { runCommand } from './run-command.ts';
import { ConfigError } from '../runtime/config-file.ts';

const USAGE = `usage: npm run validator -- <command>
  check --keys DIR --zone N --mode M --station ID [--direction entry|exit] [--at ISO] [CODE ...]
        codes as arguments, or one per line on stdin; one JSON decision per code on stdout
  run --config FILE.json
        the gate service; with "hardware": "simulated", stdin lines are scanned codes
        (and #passage, #emergency on|off, #door-forced)`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  check: checkCommand,
  run: runCommand,
};

await runCommands('validator', USAGE, commands, [KeyError, KeysDirError, BundleError, ConfigError]);
