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
import { newApiToken } from './api-auth.ts';
import type { ApiScope } from './api-scopes.ts';

export interface KeptToken {
  token: string;
  /** True when the file's token was reused, false when a new one was made. */
  reused: boolean;
  /** How many older tokens of this name (and the unseen first-start token) were revoked. */
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

const made = async (ledger: Ledger, name: string, scopes: readonly ApiScope[]) => {
  const { record, token } = await newApiToken(ledger, name, scopes);
  return { id: record.id, token };
};

const sameScopes = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((scope) => b.includes(scope));

/**
 * The kept token has exactly `scopes`; one with other scopes (an admin token from
 * before scopes existed) is replaced. `firstStartToken` is the admin token the
 * gateway's first start made (bootstrapApiToken): nobody saw it, so it is revoked
 * — an operator who needs admin makes one with `token create --scope admin`.
 */
export async function keptApiToken(ledger: Ledger, file: string, name: string, scopes: readonly ApiScope[], firstStartToken?: string): Promise<KeptToken> {
  const candidate = readToken(file);
  const found = candidate === undefined ? null : await ledger.findApiTokenByHash(hashSecret(candidate));
  const reused = found !== null && candidate !== undefined && sameScopes(found.scopes, scopes);
  const kept = reused ? { id: found.id, token: candidate } : await made(ledger, name, scopes);
  writeFileAtomic(file, `${kept.token}\n`, 0o600);
  const unseen = firstStartToken === undefined ? undefined : hashSecret(firstStartToken);
  let revoked = 0;
  for (const old of await ledger.listApiTokens()) {
    const sameName = old.name === name || old.name.startsWith(`${name} `);
    if ((sameName || old.tokenHash === unseen) && old.id !== kept.id && (await ledger.deleteApiToken(old.id))) revoked++;
  }
  return { token: kept.token, reused, revoked };
}
