import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openGateCommand } from '../../protocol/bundles/downlink-bundles.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { readRootPublicKey } from '../../keys/keys-dir.ts';
import { apiHarness, BROKER_URL, type ApiHarness } from './api-test-fixture.ts';

interface Registered {
  id: string;
  mqtt: { url: string; username: string; password: string };
}

const GATE = { id: 'gate-7', station: 'central', zone: 1, mode: 'metro', direction: 'entry' } as const;

describe('device routes', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  const register = (payload: Record<string, unknown>) => h.operator({ method: 'POST', url: '/api/devices', payload });

  it('registers a gate and shows its MQTT password once; the password works at the broker', async () => {
    const response = await register(GATE);
    assert.equal(response.statusCode, 201);
    const body = response.json<Registered>();
    assert.equal(body.id, GATE.id);
    assert.equal(body.mqtt.url, BROKER_URL);
    assert.equal(body.mqtt.username, GATE.id);
    assert.deepEqual(await h.ctx.devices.authenticate(GATE.id, body.mqtt.password), { kind: 'device', device: GATE.id, station: GATE.station });
  });

  it('re-registers a known gate with 200 and a new password; the old one stops working', async () => {
    const old = (await register({ ...GATE, id: 'gate-8' })).json<Registered>();
    const response = await register({ ...GATE, id: 'gate-8', station: 'north' });
    assert.equal(response.statusCode, 200);
    const renewed = response.json<Registered>();
    assert.notEqual(renewed.mqtt.password, old.mqtt.password);
    assert.equal(await h.ctx.devices.authenticate('gate-8', old.mqtt.password), undefined);
    assert.equal((await h.ledger.getDevice('gate-8'))?.station, 'north');
  });

  it('refuses a zone beyond the bounds with 400 naming the field (not a 500 from the database)', async () => {
    for (const zone of [1e300, 65_536, -1, 1.5]) {
      const response = await register({ ...GATE, id: 'gate-z', zone });
      assert.equal(response.statusCode, 400, `zone ${zone}`);
      assert.match(response.json<{ message: string }>().message, /zone/);
    }
    assert.equal(await h.ledger.getDevice('gate-z'), null);
  });

  it('deletes a gate: 204, its password stops working, then 404', async () => {
    const issued = (await register({ ...GATE, id: 'gate-d' })).json<Registered>();
    const removed = await h.operator({ method: 'DELETE', url: '/api/devices/gate-d' });
    assert.equal(removed.statusCode, 204);
    assert.equal(await h.ctx.devices.authenticate('gate-d', issued.mqtt.password), undefined);
    assert.equal((await h.operator({ method: 'DELETE', url: '/api/devices/gate-d' })).statusCode, 404);
    assert.equal((await h.operator({ url: '/api/devices/gate-d' })).statusCode, 404);
  });

  it('refuses the id the gateway itself uses at the broker', async () => {
    const response = await register({ ...GATE, id: 'faregate-gateway' });
    assert.equal(response.statusCode, 400);
    assert.match(response.json<{ message: string }>().message, /^body\/id .*reserved/);
  });

  it('lists gates with their last reported state and never their credential hash', async () => {
    await register({ ...GATE, id: 'gate-9' });
    const state = { online: true, lastSeen: 1_767_225_600_000, bundleVersions: { trust: 3, deny: 12 }, backlog: 4, clockAnchored: true };
    assert.ok(await h.ledger.setDeviceState('gate-9', state));
    const response = await h.operator({ url: '/api/devices' });
    assert.equal(response.statusCode, 200);
    const { devices } = response.json<{ devices: Array<Record<string, unknown>> }>();
    const gate = devices.find((d) => d.id === 'gate-9');
    assert.deepEqual(gate?.state, state);
    assert.equal(gate?.station, 'central');
    assert.ok(!response.body.includes('credentialHash'));
    const one = await h.operator({ url: '/api/devices/gate-9' });
    assert.deepEqual(one.json<{ state: unknown }>().state, state);
  });

  it('answers 404 for an unknown gate', async () => {
    const response = await h.operator({ url: '/api/devices/gate-404' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<{ message: string }>().message, 'device gate-404 is not registered');
  });

  it('sends a known gate a signed, retained command and answers its version', async () => {
    await register({ ...GATE, id: 'gate-10' });
    const response = await h.operator({ method: 'POST', url: '/api/devices/gate-10/commands', payload: { command: 'out-of-service', reason: 'cleaning' } });
    assert.equal(response.statusCode, 200);
    const { version } = response.json<{ version: number }>();
    const sent = h.published.find((p) => p.topic === topics.command('gate-10'));
    assert.ok(sent?.retain);
    const command = openGateCommand(sent.payload, readRootPublicKey(h.keysDir));
    assert.equal(command.version, version);
    assert.equal(command.device, 'gate-10');
    assert.equal(command.command, 'out-of-service');
    assert.equal(command.reason, 'cleaning');
  });

  it('answers 404 to a command for an unknown gate and publishes nothing', async () => {
    const published = h.published.length;
    const response = await h.operator({ method: 'POST', url: '/api/devices/gate-404/commands', payload: { command: 'emergency-open' } });
    assert.equal(response.statusCode, 404);
    assert.equal(h.published.length, published);
  });

  it('refuses an unknown command and a missing field together', async () => {
    const response = await h.operator({ method: 'POST', url: '/api/devices/gate-10/commands', payload: { command: 'self-destruct' } });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json<{ message: string }>().message, 'body/command must be one of out-of-service, in-service, emergency-open, emergency-clear');
    const register400 = await register({ id: 'gate-11', zone: -1, mode: 'metro' });
    const message = register400.json<{ message: string }>().message;
    for (const part of ['body/station is required', 'body/direction is required', 'body/zone must be >= 0']) assert.ok(message.includes(part), message);
  });
});
