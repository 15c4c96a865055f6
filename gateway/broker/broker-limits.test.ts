import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connectTcp, type Socket } from 'node:net';
import mqtt from 'mqtt';
import pino from 'pino';
import { topics } from '../../protocol/mqtt/topics.ts';
import { connectOrRefused } from '../../runtime/testing/mqtt-connect.ts';
import { deviceClientId, EmbeddedBroker } from './embedded-broker.ts';
import { ConnectionRateLimit, PacketSizeWatcher } from './connection-guard.ts';
import type { Principal } from './topic-acl.ts';

const logged: Array<Record<string, unknown>> = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
const users: Record<string, { password: string; principal: Principal }> = {
  'gate-1': { password: 'secret-1', principal: { kind: 'device', device: 'gate-1' } },
  'gate-2': { password: 'secret-2', principal: { kind: 'device', device: 'gate-2' } },
  gateway: { password: 'service', principal: { kind: 'service' } },
};
const credentials = {
  authenticate: async (username: string, password: string) => (users[username]?.password === password ? users[username]!.principal : undefined),
};

const connect = (port: number, username: string, clientId: string): Promise<mqtt.MqttClient> =>
  connectOrRefused(`mqtt://127.0.0.1:${port}`, { username, password: users[username]!.password, clientId });

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The largest remaining length MQTT can declare: 256 MB less one byte. */
const MAX_MQTT_LENGTH = 256 * 1024 * 1024 - 1;

const closed = (socket: Socket): Promise<void> => new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

/** A fixed header declaring a CONNECT of `length` bytes (MQTT variable-length encoding). */
function connectHeader(length: number): Buffer {
  const bytes = [0x10];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

describe('packet size watcher', () => {
  it('follows packets across chunks and names the first declared length over the limit', () => {
    const watcher = new PacketSizeWatcher(() => 100);
    assert.equal(watcher.feed(Buffer.from([0x30, 3, 1])), undefined);
    assert.equal(watcher.feed(Buffer.from([2, 3, 0xc0, 0x00])), undefined, 'a body split over chunks, then a PINGREQ');
    assert.equal(watcher.feed(Buffer.from([0x30, 0x80])), undefined);
    assert.equal(watcher.feed(Buffer.from([0x01])), 128);
  });

  it('treats a fifth length byte as malformed', () => {
    assert.equal(new PacketSizeWatcher(() => Number.MAX_SAFE_INTEGER).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), Number.POSITIVE_INFINITY);
  });
});

describe('connection rate limit', () => {
  it('admits a number of connections per address and window, then again in the next window', () => {
    let now = 0;
    const rate = new ConnectionRateLimit(2, 1000, () => now);
    assert.deepEqual([rate.admit('a'), rate.admit('a'), rate.admit('a'), rate.admit('b')], [true, true, false, true]);
    now = 1000;
    assert.equal(rate.admit('a'), true);
  });
});

describe('embedded broker limits', () => {
  const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, limits: { preAuthPacketBytes: 1024, devicePacketBytes: 4096, connectTimeoutMs: 300 } }, credentials, logger);
  before(() => broker.start());
  after(() => broker.stop());

  it('closes a socket that declares an oversized packet before authenticating, without buffering it', async () => {
    const before = process.memoryUsage().rss;
    const sockets = await Promise.all([1, 2, 3, 4].map(() => openSocket(broker.port)));
    for (const socket of sockets) {
      socket.on('error', () => undefined);
      socket.write(connectHeader(MAX_MQTT_LENGTH));
      socket.write(Buffer.alloc(64 * 1024));
    }
    await Promise.all(sockets.map(closed));
    const refusals = logged.filter((line) => line.msg === 'connection closed: packet over the size limit');
    assert.deepEqual(refusals.map((line) => [line.declared, line.limit]), sockets.map(() => [MAX_MQTT_LENGTH, 1024]));
    const grown = process.memoryUsage().rss - before;
    assert.ok(grown < 64 * 1024 * 1024, `rss grew ${grown} bytes for 4 sockets declaring 256 MB`);
  });

  it('closes a socket that never sends CONNECT after the connect timeout', async () => {
    const socket = await openSocket(broker.port);
    socket.on('error', () => undefined);
    await closed(socket);
  });

  it('refuses a device connecting with any client id but its own', async () => {
    await assert.rejects(connect(broker.port, 'gate-2', deviceClientId('gate-1')), /Identifier rejected/i);
    await assert.rejects(connect(broker.port, 'gate-2', 'anything'), /Identifier rejected/i);
  });

  it('keeps a device online when another identity asks for its client id', async () => {
    const gate1 = await connect(broker.port, 'gate-1', deviceClientId('gate-1'));
    await assert.rejects(connect(broker.port, 'gateway', deviceClientId('gate-1')), /Identifier rejected/i);
    await gate1.publishAsync(topics.state('gate-1'), 'still here', { qos: 1 });
    assert.equal(gate1.connected, true);
    await gate1.endAsync();
  });

  it('closes an authenticated device that sends a packet over its payload cap', async () => {
    const gate1 = await connect(broker.port, 'gate-1', deviceClientId('gate-1'));
    const gone = new Promise<void>((resolve) => gate1.once('close', () => resolve()));
    gate1.publish(topics.taps('gate-1'), Buffer.alloc(8192, 0x20), { qos: 0 });
    await gone;
    gate1.end(true);
  });

  it('ends every live session of a device on request (password rotated or device deleted)', async () => {
    const gate1 = await connect(broker.port, 'gate-1', deviceClientId('gate-1'));
    const gate2 = await connect(broker.port, 'gate-2', deviceClientId('gate-2'));
    const gone = new Promise<void>((resolve) => gate1.once('close', () => resolve()));
    assert.equal(broker.endSessions('gate-1'), 1);
    await gone;
    await gate2.publishAsync(topics.state('gate-2'), 'unaffected', { qos: 1 });
    gate1.end(true);
    await gate2.endAsync();
  });
});

describe('embedded broker connection rate', () => {
  const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, limits: { connectionsPerAddress: 3, connectionWindowMs: 600_000 } }, credentials, logger);
  before(() => broker.start());
  after(() => broker.stop());

  it('closes new connections from an address over its rate', async () => {
    const clients = [];
    for (let i = 0; i < 3; i++) clients.push(await connect(broker.port, 'gateway', `observer-${i}`));
    await assert.rejects(connect(broker.port, 'gateway', 'observer-4'), /closed before CONNACK/);
    for (const client of clients) client.end(true);
  });
});
