import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashSecret } from '../fleet/device-credentials.ts';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { createApiToken } from './api-auth.ts';
import type { ApiScope } from './api-scopes.ts';
import { keptApiToken } from './kept-token.ts';

describe('kept operator token (npm start)', () => {
  let dir: string;
  let ledger: SqliteLedger;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faregate-kept-token-'));
    ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
    await ledger.start();
    file = join(dir, 'api-token');
  });
  after(async () => {
    await ledger.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const valid = async (token: string): Promise<boolean> => (await ledger.findApiTokenByHash(hashSecret(token))) !== null;

  const DEMO: ApiScope[] = ['read', 'issue', 'deny'];
  const scopesOf = async (token: string) => (await ledger.findApiTokenByHash(hashSecret(token)))?.scopes;

  it("keeps a token with the demo's scopes in a file readable only by its owner, and revokes the unseen first-start admin token", async () => {
    const first = await createApiToken(ledger, 'admin', ['admin']);
    const kept = await keptApiToken(ledger, file, 'npm start', DEMO, first);
    assert.deepEqual({ ...kept, token: '' }, { token: '', reused: false, revoked: 1 });
    assert.deepEqual(await scopesOf(kept.token), DEMO);
    assert.equal(await valid(first), false);
    assert.equal(readFileSync(file, 'utf8').trim(), kept.token);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('reuses the same token on every later start, and revokes tokens earlier starts left behind', async () => {
    const before = readFileSync(file, 'utf8').trim();
    const leftOver = await createApiToken(ledger, 'npm start 2026-11-27T10:00:00.000Z', ['admin']);
    const operatorsOwn = await createApiToken(ledger, 'ops', ['admin']);
    const kept = await keptApiToken(ledger, file, 'npm start', DEMO);
    assert.deepEqual(kept, { token: before, reused: true, revoked: 1 });
    assert.equal(await valid(before), true);
    assert.equal(await valid(leftOver), false);
    assert.equal(await valid(operatorsOwn), true, 'tokens of other names are the operator’s and stay');
  });

  it('makes a new token when the kept one was deleted from the ledger or the file holds garbage, and then only that one is valid', async () => {
    const old = readFileSync(file, 'utf8').trim();
    const tokens = await ledger.listApiTokens();
    await ledger.deleteApiToken(tokens.find((t) => t.tokenHash === hashSecret(old))!.id);
    const fresh = await keptApiToken(ledger, file, 'npm start', DEMO);
    assert.equal(fresh.reused, false);
    assert.notEqual(fresh.token, old);
    assert.equal(readFileSync(file, 'utf8').trim(), fresh.token);
    writeFileSync(file, 'not a token\n');
    const again = await keptApiToken(ledger, file, 'npm start', DEMO);
    assert.equal(again.reused, false);
    assert.equal(again.revoked, 1, 'the previous npm start token is revoked');
    assert.equal(await valid(fresh.token), false);
    assert.equal(await valid(again.token), true);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('replaces a kept token whose scopes are not the demo scopes (an admin token from before scopes)', async () => {
    const admin = await createApiToken(ledger, 'npm start', ['admin']);
    writeFileSync(file, `${admin}\n`);
    const kept = await keptApiToken(ledger, file, 'npm start', DEMO);
    assert.equal(kept.reused, false);
    assert.equal(await valid(admin), false);
    assert.deepEqual(await scopesOf(kept.token), DEMO);
  });
});
