/**
 * `npm run keys -- <command>`: the operator's key tooling (root and issuer keys,
 * trust and deny lists, issuing tickets, the rider app's rotating code, inspecting codes).
 */
import { runCommands } from '../runtime/cli/run-commands.ts';
import { KEYS_CLI } from './cli-spec.ts';

await runCommands(KEYS_CLI);
