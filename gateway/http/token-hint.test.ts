import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tokenCreateCommand } from './token-hint.ts';

describe('token create hint', () => {
  it('is the plain command for a gateway on its defaults', () => {
    assert.equal(tokenCreateCommand(), 'npm run gateway -- token create --name NAME');
  });

  it('names the data directory and config file the gateway was started with, relative to the project when inside it', () => {
    assert.equal(tokenCreateCommand({ dataDir: join(process.cwd(), 'data', 'demo') }), 'npm run gateway -- token create --name NAME --data-dir data/demo');
    assert.equal(tokenCreateCommand({ dataDir: 'data/demo' }), 'npm run gateway -- token create --name NAME --data-dir data/demo');
    assert.equal(
      tokenCreateCommand({ configPath: '/etc/faregate/gateway.json', dataDir: '/var/lib/faregate' }),
      'npm run gateway -- token create --name NAME --config /etc/faregate/gateway.json --data-dir /var/lib/faregate',
    );
  });

  it('quotes a path the shell would split or interpret', () => {
    assert.equal(tokenCreateCommand({ dataDir: "/srv/my data/it's" }), "npm run gateway -- token create --name NAME --data-dir '/srv/my data/it'\\''s'");
  });
});
