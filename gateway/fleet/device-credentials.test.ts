import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { DeviceCredentials } from './device-credentials.ts';

describe('device credentials', () => {
  let dir: string;
  let ledger: SqliteLedger;
  const ended: string[] = [];
  let devices: DeviceCredentials;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faregate-credentials-'));
    ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
    await ledger.start();
    devices = new DeviceCredentials(ledger, { username: 'faregate-gateway', password: 'service' }, { endSessions: (device) => ended.push(device) });
  });
  after(async () => {
    await ledger.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const gate = (id: string) => ({ id, station: 'central', zone: 1, mode: 'metro', direction: 'entry' }) as const;

  it('ends the live sessions of a re-registered device (its old password must stop publishing), not of a new one', async () => {
    await devices.register(gate('gate-1'));
    assert.deepEqual(ended, []);
    await devices.register(gate('gate-1'));
    assert.deepEqual(ended, ['gate-1']);
  });

  it('removes a device: its password fails and its sessions end', async () => {
    ended.length = 0;
    const { password } = await devices.register(gate('gate-2'));
    assert.equal(await devices.remove('gate-2'), true);
    assert.equal(await devices.authenticate('gate-2', password), undefined);
    assert.deepEqual(ended, ['gate-2']);
    assert.equal(await devices.remove('gate-2'), false);
  });
});
