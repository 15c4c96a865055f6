import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../runtime/cli/args.ts';
import { hashSecret } from '../fleet/device-credentials.ts';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { API_TOKEN_PREFIX } from './api-auth.ts';
import { tokenCommand } from './token-command.ts';

describe('token command', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faregate-token-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const run = async (...args: string[]): Promise<string[]> => {
    const lines: string[] = [];
    await tokenCommand([...args, '--data-dir', dataDir], (line) => lines.push(line));
    return lines;
  };

  it('creates a token printed once and stored as a hash, lists it, and deletes it', async () => {
    const [token = ''] = await run('create', '--name', 'night shift');
    assert.ok(token.startsWith(API_TOKEN_PREFIX));
    const ledger = new SqliteLedger({ path: join(dataDir, 'ledger.sqlite') });
    await ledger.start();
    const stored = await ledger.findApiTokenByHash(hashSecret(token));
    await ledger.stop();
    assert.equal(stored?.name, 'night shift');
    const listed = await run('list');
    assert.equal(listed.length, 1);
    assert.match(listed[0]!, new RegExp(`^${stored.id} .* night shift$`));
    assert.ok(!listed[0]!.includes(token.slice(API_TOKEN_PREFIX.length)));
    assert.deepEqual(await run('delete', '--id', stored.id), [`deleted token ${stored.id}`]);
    assert.deepEqual(await run('list'), []);
  });

  it('explains its usage and refuses a missing name or an unknown id', async () => {
    await assert.rejects(tokenCommand(['rotate']), UsageError);
    await assert.rejects(run('create'), /--name is required/);
    await assert.rejects(run('delete', '--id', 'nope'), /--id: no token nope/);
  });
});
