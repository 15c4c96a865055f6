import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UsageError } from '../runtime/cli/args.ts';
import { loadGatewayConfig } from './config/gateway-config.ts';
import { deviceCommand } from './device-command.ts';
import { DeviceCredentials } from './fleet/device-credentials.ts';
import { openLedger } from './ledger/open-ledger.ts';
import { SERVICE_USER } from './service/gateway-service.ts';

describe('gateway device add', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'faregate-device-add-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const place = ['--station', 'central', '--zone', '1', '--mode', 'metro'];

  async function authenticates(dataDir: string, device: string, password: string): Promise<boolean> {
    const ledger = openLedger(loadGatewayConfig(undefined, { dataDir }));
    await ledger.start();
    try {
      return (await new DeviceCredentials(ledger, { username: SERVICE_USER, password: '' }).authenticate(device, password)) !== undefined;
    } finally {
      await ledger.stop();
    }
  }

  it('prints the credentials once, and the password works on the ledger of the data dir given', async () => {
    const lines: string[] = [];
    const dataDir = join(dir, 'gw');
    await deviceCommand(['add', '--id', 'gate-a', ...place, '--data-dir', dataDir], (line) => lines.push(line));
    const printed = JSON.parse(lines[0]!) as { device: string; username: string; password: string };
    assert.equal(printed.device, 'gate-a');
    assert.equal(await authenticates(dataDir, 'gate-a', printed.password), true);
  });

  it('with --password-file writes the password there with mode 0600 and keeps it off the screen', async () => {
    const lines: string[] = [];
    const dataDir = join(dir, 'gw');
    const file = join(dir, 'gate-b.password');
    await deviceCommand(['add', '--id', 'gate-b', ...place, '--data-dir', dataDir, '--password-file', file], (line) => lines.push(line));
    assert.deepEqual(JSON.parse(lines[0]!), { device: 'gate-b', username: 'gate-b', passwordFile: file });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const password = readFileSync(file, 'utf8').trim();
    assert.ok(password.length >= 20);
    assert.equal(await authenticates(dataDir, 'gate-b', password), true);
  });

  it('refuses a password file in a directory that does not exist before registering anything', async () => {
    const dataDir = join(dir, 'gw');
    await assert.rejects(
      deviceCommand(['add', '--id', 'gate-c', ...place, '--data-dir', dataDir, '--password-file', join(dir, 'missing', 'p')], () => undefined),
      (error: unknown) => error instanceof UsageError && /--password-file: directory .*missing does not exist/.test(error.message),
    );
    const lines: string[] = [];
    await deviceCommand(['add', '--id', 'gate-c', ...place, '--data-dir', dataDir], (line) => lines.push(line));
    assert.equal((JSON.parse(lines[0]!) as { device: string }).device, 'gate-c', 'the id is still free');
  });
});

describe('gateway device remove', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'faregate-device-remove-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes a registration so its password stops working, and refuses an unknown id by name', async () => {
    const dataDir = join(dir, 'gw');
    const lines: string[] = [];
    await deviceCommand(['add', '--id', 'gate-r', '--station', 'central', '--zone', '1', '--mode', 'metro', '--data-dir', dataDir], (line) => lines.push(line));
    const { password } = JSON.parse(lines[0]!) as { password: string };
    await deviceCommand(['remove', '--id', 'gate-r', '--data-dir', dataDir], (line) => lines.push(line));
    assert.deepEqual(JSON.parse(lines[1]!), { device: 'gate-r', removed: true });
    const ledger = openLedger(loadGatewayConfig(undefined, { dataDir }));
    await ledger.start();
    try {
      assert.equal(await new DeviceCredentials(ledger, { username: SERVICE_USER, password: '' }).authenticate('gate-r', password), undefined);
    } finally {
      await ledger.stop();
    }
    await assert.rejects(
      deviceCommand(['remove', '--id', 'gate-r', '--data-dir', dataDir], () => undefined),
      (error: unknown) => error instanceof UsageError && /--id: device gate-r is not registered/.test(error.message),
    );
  });
});
