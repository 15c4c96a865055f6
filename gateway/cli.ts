/** `npm run gateway -- <command>`: the fare-clearing gateway's command line. */
import { runCommands } from '../runtime/cli/run-commands.ts';
import { GATEWAY_CLI } from './cli-spec.ts';

await runCommands(GATEWAY_CLI);
