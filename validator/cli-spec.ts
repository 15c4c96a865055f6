/** The validator CLI's commands and usage (cli.ts runs them). */
import { BundleError } from '../protocol/bundles/signed-bundle.ts';
import { KeyError } from '../protocol/ticket/ed25519.ts';
import { KeysDirError } from '../keys/keys-dir.ts';
import { ConfigError } from '../runtime/config-file.ts';
import type { CliSpec } from '../runtime/cli/run-commands.ts';
import { checkCommand } from './check-command.ts';
import { runCommand } from './run-command.ts';

export const VALIDATOR_CLI: CliSpec = {
  name: 'validator',
  invocation: 'npm run validator --',
  commands: {
    check: {
      usage: `check --keys DIR --zone N --mode M --station ID [--direction entry|exit] [--at TIME] [CODE ...]
        codes as arguments, or one per line on stdin; one JSON decision per code on stdout
        (a malformed code's decision says why in "detail"); TIME is ISO 8601 with a zone`,
      run: checkCommand,
    },
    run: {
      usage: `run --config FILE.json
        the gate service; with "hardware": "simulated", stdin lines are scanned codes
        (and #passage, #emergency on|off, #door-forced); a bad config lists every problem, exit 2`,
      run: runCommand,
    },
  },
  inputErrors: [KeyError, KeysDirError, BundleError, ConfigError],
};
