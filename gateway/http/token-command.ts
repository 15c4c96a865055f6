/**
 * `npm run gateway -- token create --name NAME | list | delete --id ID [--config FILE] [--data-dir DIR]`:
 * operator API tokens. A new token is printed once; the ledger keeps its hash.
 * Works on the ledger directly, so it runs with the gateway up or down.
 */
import { mkdirSync } from 'node:fs';
import { parseCommandArgs, required, UsageError } from '../../runtime/cli/args.ts';
import { loadGatewayConfig } from '../config/gateway-config.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { createApiToken } from './api-auth.ts';

export const TOKEN_USAGE = `token create --name NAME | token list | token delete --id ID  [--config FILE] [--data-dir DIR]
        operator API tokens (stored hashed; a new token is printed once)`;

export async function tokenCommand(args: string[], print: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'create' && sub !== 'list' && sub !== 'delete') throw new UsageError(`${sub === undefined ? 'no token command' : `unknown token command "${sub}"`}\nusage: npm run gateway -- ${TOKEN_USAGE}`);
  const { values } = parseCommandArgs(rest, {
    name: { type: 'string' },
    id: { type: 'string' },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
  });
  const name = sub === 'create' ? required(values, 'name') : undefined;
  const id = sub === 'delete' ? required(values, 'id') : undefined;
  const config = loadGatewayConfig(values.config as string | undefined, values['data-dir'] ? { dataDir: values['data-dir'] as string } : {});
  if (config.ledger.kind === 'sqlite') mkdirSync(config.dataDir, { recursive: true });
  const ledger = openLedger(config);
  await ledger.start();
  try {
    if (name !== undefined) {
      print(await createApiToken(ledger, name));
    } else if (id !== undefined) {
      if (!(await ledger.deleteApiToken(id))) throw new UsageError(`--id: no token ${id}`);
      print(`deleted token ${id}`);
    } else {
      for (const token of await ledger.listApiTokens()) {
        print(`${token.id}  ${new Date(token.createdAt).toISOString()}  ${token.name}`);
      }
    }
  } finally {
    await ledger.stop();
  }
}
