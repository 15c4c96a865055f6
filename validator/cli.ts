/** `npm run validator -- <command>`: the gate validator's command line. */
import { runCommands } from '../runtime/cli/run-commands.ts';
import { VALIDATOR_CLI } from './cli-spec.ts';

await runCommands(VALIDATOR_CLI);
