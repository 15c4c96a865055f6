/** The keys CLI's commands for compromised issuer keys and the gateway's online signing keys. */
import { parseCommandArgs, parseList, required, UsageError } from '../runtime/cli/args.ts';
import type { Command } from '../runtime/cli/run-commands.ts';
import { removeIssuer } from './keyring.ts';
import { dirOption, kidOption, validityDays } from './keyring-commands.ts';
import { createSigningKey, revokeSigningKey, signingTypesOf, SIGNING_KINDS } from './signing-keys.ts';

function remove(args: string[]): void {
  const { dir, kid } = kidOption(args);
  const { entry, trustVersion } = removeIssuer(dir, kid);
  console.log(`issuer ${entry.kid} removed: not in trust list v${trustVersion}; gates refuse its tickets once they have it`);
}

function createKey(args: string[]): void {
  const { values } = parseCommandArgs(args, { ...dirOption, 'validity-days': { type: 'string' }, kinds: { type: 'string' } });
  const options: { validityDays?: number; types?: string[] } = {};
  const days = validityDays(values['validity-days']);
  if (days !== undefined) options.validityDays = days;
  if (values.kinds !== undefined) options.types = signingTypesOf(parseList(values.kinds as string, 'kinds'));
  const entry = createSigningKey(required(values, 'dir'), options);
  console.log(`signing key ${entry.kid} certified by the root until ${entry.notAfter} for ${entry.types.join(', ')}`);
}

function revokeKey(args: string[]): void {
  const { dir, kid } = kidOption(args);
  const { entry, trustVersion } = revokeSigningKey(dir, kid);
  console.log(`signing key ${entry.kid} revoked in trust list v${trustVersion}; its private key is destroyed`);
}

const SIGNING_KEY_ACTIONS: Record<string, (args: string[]) => void> = { create: createKey, revoke: revokeKey };

export const KEY_LIFECYCLE_COMMANDS: Record<string, Command> = {
  remove: {
    usage: `remove --dir DIR --kid HEX
        a compromised issuer key: out of the next trust list at once (its tickets are refused),
        its key files destroyed, never trusted again`,
    run: remove,
  },
  'signing-key': {
    usage: `signing-key create --dir DIR [--validity-days N] [--kinds ${Object.keys(SIGNING_KINDS).join(',')}]
      | signing-key revoke --dir DIR --kid HEX
        certifies with the root key an online signing key for the gateway's bundles (default
        90 days, every kind), or revokes one in the trust list and destroys its private key`,
    run(args) {
      const [action, ...rest] = args;
      const handler = action === undefined ? undefined : SIGNING_KEY_ACTIONS[action];
      if (!handler) throw new UsageError('signing-key: give create or revoke');
      handler(rest);
    },
  },
};
