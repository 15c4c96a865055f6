import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import mqtt from 'mqtt';
import pino from 'pino';
import { topics } from '../../protocol/mqtt/topics.ts';
import { EmbeddedBroker, PortInUseError } from './embedded-broker.ts';
import type { Principal } from './topic-acl.ts';
import { waitUntil } from '../../runtime/testing/wait.ts';

const logger = pino({ level: 'silent' });
const users: Record<string, { password: string; principal: Principal }> = {
  'gate-1': { password: 'secret-1', principal: { kind: 'device', device: 'gate-1' } },
  gateway: { password: 'service', principal: { kind: 'service' } },
};
const credentials = {
  authenticate: async (username: string, password: string) =>
    users[username]?.password === password ? users[username]!.principal : undefined,
};

function connect(port: number, username: string, password: string): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({ host: '127.0.0.1', port, username, password, reconnectPeriod: 0, clientId: users[username]!.principal.kind === 'device' ? `faregate-${username}` : `${username}-${Math.random()}` });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

describe('embedded broker', () => {
  const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0 }, credentials, logger);
  before(() => broker.start());
  after(() => broker.stop());

  it('refuses a client with a wrong password', async () => {
    await assert.rejects(connect(broker.port, 'gate-1', 'wrong'), /Bad username or password|Not authorized/i);
  });

  it('lets a device publish its taps, and the gateway receive them', async () => {
    const gateway = await connect(broker.port, 'gateway', 'service');
    await gateway.subscribeAsync(topics.allTaps, { qos: 1 });
    const device = await connect(broker.port, 'gate-1', 'secret-1');
    const received = new Promise<string>((resolve) => gateway.once('message', (topic) => resolve(topic)));
    await device.publishAsync(topics.taps('gate-1'), 'x', { qos: 1 });
    assert.equal(await received, topics.taps('gate-1'));
    await Promise.all([gateway.endAsync(), device.endAsync()]);
  });

  it('drops a device publishing as another device or on a downlink topic, and refuses foreign subscriptions', async () => {
    const gateway = await connect(broker.port, 'gateway', 'service');
    await gateway.subscribeAsync('faregate/v1/#', { qos: 1 });
    const seen: string[] = [];
    gateway.on('message', (topic) => seen.push(topic));
    const device = await connect(broker.port, 'gate-1', 'secret-1');
    await assert.rejects(device.subscribeAsync(topics.ack('gate-2'), { qos: 1 }), /Subscribe error/);
    // aedes closes the connection of a client whose publish is refused.
    await device.publishAsync(topics.taps('gate-2'), 'forged', { qos: 0 }).catch(() => undefined);
    const device2 = await connect(broker.port, 'gate-1', 'secret-1');
    await device2.publishAsync(topics.bundle('trust'), 'forged', { qos: 0 }).catch(() => undefined);
    const device3 = await connect(broker.port, 'gate-1', 'secret-1');
    await device3.publishAsync(topics.state('gate-1'), 'mine', { qos: 1 });
    // The forgeries were refused before this publish was accepted: once it arrives, nothing else may have.
    await waitUntil('the allowed state message arrives', () => seen.length > 0);
    assert.deepEqual(seen, [topics.state('gate-1')]);
    for (const client of [gateway, device, device2, device3]) client.end(true);
  });

  it('fails with a clear message when its port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const second = new EmbeddedBroker({ host: '127.0.0.1', port }, credentials, logger);
    await assert.rejects(second.start(), (error: Error) => error instanceof PortInUseError && /already in use.*--mqtt-port/.test(error.message));
    await second.stop();
    blocker.close();
  });
});
