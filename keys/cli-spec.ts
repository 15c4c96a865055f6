/** The keys CLI's commands and usage (cli.ts runs them). */
import { BundleError } from '../protocol/bundles/signed-bundle.ts';
import { Base45Error } from '../protocol/ticket/base45.ts';
import { MalformedError } from '../protocol/ticket/cose-sign1.ts';
import { KeyError } from '../protocol/ticket/ed25519.ts';
import type { CliSpec } from '../runtime/cli/run-commands.ts';
import { INSPECT_COMMAND } from './inspect-command.ts';
import { TicketRequestError } from './issue-ticket.ts';
import { KEY_LIFECYCLE_COMMANDS } from './key-lifecycle-commands.ts';
import { KEYRING_COMMANDS } from './keyring-commands.ts';
import { KeysDirError } from './keys-dir.ts';
import { TICKET_COMMANDS } from './ticket-commands.ts';

export const KEYS_CLI: CliSpec = {
  name: 'keys',
  invocation: 'npm run keys --',
  commands: { ...KEYRING_COMMANDS, ...KEY_LIFECYCLE_COMMANDS, ...TICKET_COMMANDS, inspect: INSPECT_COMMAND },
  inputErrors: [KeyError, KeysDirError, BundleError, MalformedError, Base45Error, TicketRequestError],
};
