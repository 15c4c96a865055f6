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

  const stored = async (token: string) => {
    const ledger = new SqliteLedger({ path: join(dataDir, 'ledger.sqlite') });
    await ledger.start();
    try {
      return await ledger.findApiTokenByHash(hashSecret(token));
    } finally {
      await ledger.stop();
    }
  };

  it('creates a read-only token by default, printed once and stored as a hash, lists it with its scopes, and revokes it by id', async () => {
    const [token = ''] = await run('create', '--name', 'night shift');
    assert.ok(token.startsWith(API_TOKEN_PREFIX));
    const row = await stored(token);
    assert.equal(row?.name, 'night shift');
    assert.deepEqual(row.scopes, ['read']);
    const listed = await run('list');
    assert.equal(listed.length, 1);
    assert.match(listed[0]!, new RegExp(`^${row.id} .* read  night shift$`));
    assert.ok(!listed[0]!.includes(token.slice(API_TOKEN_PREFIX.length)));
    assert.deepEqual(await run('revoke', '--id', row.id), [`revoked token ${row.id}`]);
    assert.deepEqual(await run('list'), []);
  });

  it('creates a token with the scopes given, and revokes every token of a name', async () => {
    const [clearing = ''] = await run('create', '--name', 'clearing', '--scope', 'deny,read');
    const [admin = ''] = await run('create', '--name', 'clearing', '--scope', 'admin');
    assert.deepEqual((await stored(clearing))?.scopes, ['read', 'deny']);
    assert.deepEqual((await stored(admin))?.scopes, ['admin']);
    assert.equal((await run('revoke', '--name', 'clearing')).length, 2);
    assert.equal(await stored(clearing), null);
    assert.equal(await stored(admin), null);
  });

  it('explains its usage and refuses a missing name, an unknown scope, an unknown id or name', async () => {
    await assert.rejects(tokenCommand(['rotate']), UsageError);
    await assert.rejects(run('create'), /--name is required/);
    await assert.rejects(run('create', '--name', 'x', '--scope', 'read,root'), /--scope: unknown scope "root"; scopes are read, issue, deny, command, admin/);
    await assert.rejects(run('create', '--name', 'x', '--scope', ','), /--scope: no scope given/);
    await assert.rejects(run('revoke'), /needs --id ID or --name NAME/);
    await assert.rejects(run('revoke', '--id', 'nope'), /--id: no token nope/);
    await assert.rejects(run('delete', '--name', 'nobody'), /--name: no token named "nobody"/);
  });
});
