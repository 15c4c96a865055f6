/**
 * An operator token kept in a file (mode 0600) and reused while the ledger still
 * knows it. For `npm start`: the token a demo user pasted into the dashboard keeps
 * working across restarts, instead of each start leaving one more valid admin
 * token behind. Older tokens of the same name (or the name, a space and more, as
 * earlier versions named them: `npm start <time>`) are revoked: one stays valid.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../runtime/atomic-file.ts';
import { hashSecret } from '../fleet/device-credentials.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { createApiToken } from './api-auth.ts';

export interface KeptToken {
  token: string;
  /** True when the file's token was reused, false when a new one was made. */
  reused: boolean;
  /** How many older tokens of this name were revoked. */
  revoked: number;
}

function readToken(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * `offered` is a token just made by the gateway's first start (bootstrapApiToken):
 * it becomes the kept one, under its own name, rather than making a second.
 */
export async function keptApiToken(ledger: Ledger, file: string, name: string, offered?: string): Promise<KeptToken> {
  const candidate = offered ?? readToken(file);
  let kept = candidate === undefined ? null : await ledger.findApiTokenByHash(hashSecret(candidate));
  let token = candidate;
  const reused = kept !== null && offered === undefined;
  if (kept === null || token === undefined) {
    token = await createApiToken(ledger, name);
    kept = await ledger.findApiTokenByHash(hashSecret(token));
  }
  writeFileAtomic(file, `${token}\n`, 0o600);
  let revoked = 0;
  for (const old of await ledger.listApiTokens()) {
    const sameName = old.name === name || old.name.startsWith(`${name} `);
    if (sameName && old.id !== kept?.id && (await ledger.deleteApiToken(old.id))) revoked++;
  }
  return { token, reused, revoked };
}
