/**
 * `npm run gateway -- token create --name NAME [--scope read,deny] | list | revoke --id ID | revoke --name NAME`
 * (`delete` is `revoke`): operator API tokens. A new token is printed once; the
 * ledger keeps its hash. Works on the ledger directly, so it runs with the
 * gateway up or down — and is how an operator gets an admin token.
 */
import { parseCommandArgs, required, UsageError } from '../../runtime/cli/args.ts';
import { makePrivateDir } from '../../runtime/private-files.ts';
import { loadGatewayConfig } from '../config/gateway-config.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { createApiToken } from './api-auth.ts';
import { API_SCOPES, parseScopes, ScopeError, type ApiScope } from './api-scopes.ts';

export const TOKEN_USAGE = `token create --name NAME [--scope SCOPES] | token list | token revoke --id ID | token revoke --name NAME  [--config FILE] [--data-dir DIR]
        operator API tokens (stored hashed; a new token is printed once). SCOPES: a comma list of
        ${API_SCOPES.join(', ')} (admin holds all); without --scope a token can only read`;

const SUBCOMMANDS = ['create', 'list', 'revoke', 'delete'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
const isSub = (text: string | undefined): text is Sub => (SUBCOMMANDS as readonly (string | undefined)[]).includes(text);

function scopesOption(value: unknown): ApiScope[] {
  if (value === undefined) return ['read'];
  try {
    return parseScopes([String(value)]);
  } catch (error) {
    if (error instanceof ScopeError) throw new UsageError(`--scope: ${error.message}`);
    throw error;
  }
}

/** Revokes by id, or every token of a name; the lines to print. */
async function revoke(ledger: Ledger, values: Record<string, unknown>): Promise<string[]> {
  if (typeof values.id === 'string') {
    if (!(await ledger.deleteApiToken(values.id))) throw new UsageError(`--id: no token ${values.id}`);
    return [`revoked token ${values.id}`];
  }
  if (typeof values.name !== 'string') throw new UsageError('token revoke needs --id ID or --name NAME');
  const named = (await ledger.listApiTokens()).filter((token) => token.name === values.name);
  if (named.length === 0) throw new UsageError(`--name: no token named "${values.name}"`);
  const lines: string[] = [];
  for (const token of named) if (await ledger.deleteApiToken(token.id)) lines.push(`revoked token ${token.id} (${token.name})`);
  return lines;
}

export async function tokenCommand(args: string[], print: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Promise<void> {
  const [sub, ...rest] = args;
  if (!isSub(sub)) throw new UsageError(`${sub === undefined ? 'no token command' : `unknown token command "${sub}"`}\nusage: npm run gateway -- ${TOKEN_USAGE}`);
  const { values } = parseCommandArgs(rest, {
    name: { type: 'string' },
    id: { type: 'string' },
    scope: { type: 'string' },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
  });
  const name = sub === 'create' ? required(values, 'name') : undefined;
  const scopes = sub === 'create' ? scopesOption(values.scope) : undefined;
  if ((sub === 'revoke' || sub === 'delete') && values.id === undefined && values.name === undefined) throw new UsageError('token revoke needs --id ID or --name NAME');
  const config = loadGatewayConfig(values.config as string | undefined, values['data-dir'] ? { dataDir: values['data-dir'] as string } : {});
  if (config.ledger.kind === 'sqlite') makePrivateDir(config.dataDir);
  const ledger = openLedger(config);
  await ledger.start();
  try {
    if (name !== undefined && scopes !== undefined) {
      print(await createApiToken(ledger, name, scopes));
    } else if (sub === 'revoke' || sub === 'delete') {
      for (const line of await revoke(ledger, values)) print(line);
    } else {
      for (const token of await ledger.listApiTokens()) {
        print(`${token.id}  ${new Date(token.createdAt).toISOString()}  ${token.scopes.join(',')}  ${token.name}`);
      }
    }
  } finally {
    await ledger.stop();
  }
}
