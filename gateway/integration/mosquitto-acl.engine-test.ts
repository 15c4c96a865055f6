/**
 * The Mosquitto password and ACL files the gateway writes (gateway/mosquitto/
 * mosquitto-files.ts, through `npm run gateway -- device add --mosquitto-dir`) as a
 * real, private Mosquitto enforces them (npm run test:engines; needs the `mosquitto`
 * binary): wrong passwords are refused, a device publishes only its own uplink
 * topics and reads only its own downlink topics, and the gateways' service user
 * sees every device's taps, shared subscription included.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { sharedSubscription, topics, TOPIC_ROOT } from '../../protocol/mqtt/topics.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { MOSQUITTO_FILES } from '../mosquitto/mosquitto-files.ts';
import { addDevice, sleep, waitUntil } from './gateway-harness.ts';
import { PrivateMosquitto } from './private-mosquitto.ts';

const SERVICE = { username: 'faregate-gateway', password: 'service-secret-for-the-acl-test' };
const A = 'acl-gate-a';
const B = 'acl-gate-b';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

let url = '';
const credentials = new Map<string, string>();

/** A connected client; registered for closing in `after`. */
async function client(username: string, password: string, options: IClientOptions = {}): Promise<MqttClient> {
  const connected = await mqtt.connectAsync(url, { clientId: `${username}-${Math.random().toString(36).slice(2, 8)}`, username, password, reconnectPeriod: 0, clean: true, ...options });
  cleanups.push(() => connected.endAsync(true));
  return connected;
}

/** Every message a client receives, as `topic payload`. */
function recorder(c: MqttClient): string[] {
  const received: string[] = [];
  c.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
  return received;
}

const device = (id: string): Promise<MqttClient> => client(id, credentials.get(id)!);

describe('the generated Mosquitto password and ACL files, enforced by a private Mosquitto', { timeout: 120_000 }, () => {
  before(async () => {
    const { dir, remove } = await makeTempDir('mosquitto-acl');
    cleanups.push(remove);
    const mosquittoDir = join(dir, 'mosquitto');
    await mkdir(mosquittoDir);
    const mosquitto = new PrivateMosquitto(dir, mosquittoDir);
    url = await mosquitto.reservePort();
    // The gateways' config: an external broker with the service identity, SQLite ledger.
    const config = join(dir, 'gateway.json');
    await writeFile(config, JSON.stringify({ dataDir: join(dir, 'data'), mqtt: { mode: 'external', url, ...SERVICE } }));
    for (const id of [A, B]) {
      const issued = await addDevice(id, 'ACL-STATION', ['--config', config, '--mosquitto-dir', mosquittoDir]);
      credentials.set(id, issued.password);
    }
    const passwd = join(mosquittoDir, MOSQUITTO_FILES.passwords);
    const users = readFileSync(passwd, 'utf8').trim().split('\n').map((line) => line.split(':')[0]).sort();
    assert.deepEqual(users, [A, B, SERVICE.username].sort(), 'the password file has both gates and the service user');

    cleanups.push(() => mosquitto.kill());
    await mosquitto.start();
  });

  it('refuses a wrong password, an unknown user and an anonymous client', async () => {
    for (const [username, password] of [[A, 'wrong-password'], [A, credentials.get(B)!], ['nobody', 'whatever'], [undefined, undefined]] as const) {
      await assert.rejects(
        mqtt.connectAsync(url, { clientId: `refused-${Math.random().toString(36).slice(2, 8)}`, reconnectPeriod: 0, ...(username !== undefined && { username, password }) }),
        /Not authorized|Bad username or password|not authori[sz]ed/i,
        `${username ?? 'anonymous'} is refused`,
      );
    }
    const ok = await device(A);
    assert.equal(ok.connected, true, 'the right password works');
  });

  it("delivers a gate's own taps to the gateways, and nothing it may not publish", async () => {
    const service = await client(SERVICE.username, SERVICE.password);
    const seen = recorder(service);
    const granted = await service.subscribeAsync(`${TOPIC_ROOT}/#`, { qos: 1 });
    assert.deepEqual(granted.map((g) => g.qos), [1], 'the service user may read everything');
    const a = await device(A);
    await a.publishAsync(topics.taps(B), 'A posing as B', { qos: 1 });
    await a.publishAsync(topics.bundle('trust'), 'A forging a trust list', { qos: 1 });
    await a.publishAsync(topics.ack(A), 'A acking itself', { qos: 1 });
    await a.publishAsync(topics.time(), 'A setting the time', { qos: 1 });
    await a.publishAsync(topics.taps(A), 'A own taps', { qos: 1 });
    await waitUntil("the service user received A's own taps", () => seen.includes(`${topics.taps(A)} A own taps`), { detail: () => JSON.stringify(seen) });
    await sleep(500); // anything forbidden would have come before (one publisher, in order)
    assert.deepEqual(
      seen.filter((message) => !message.endsWith('A own taps')),
      [],
      "nothing A may not publish reached a subscriber (B's taps, a bundle, its own ack, the time)",
    );
    assert.equal(seen.length, 1, 'the taps arrived once');
    await a.publishAsync(topics.state(A), 'A state', { qos: 1 });
    await waitUntil("the service user received A's state", () => seen.includes(`${topics.state(A)} A state`));
  });

  it("lets the gateways share the taps with a $share subscription", async () => {
    const first = await client(SERVICE.username, SERVICE.password, { protocolVersion: 5 });
    const second = await client(SERVICE.username, SERVICE.password, { protocolVersion: 5 });
    const seen = [...[first, second].map(recorder)];
    for (const c of [first, second]) {
      const granted = await c.subscribeAsync(sharedSubscription('clearing', topics.allTaps), { qos: 1 });
      assert.deepEqual(granted.map((g) => g.qos), [1], `the shared subscription is granted: ${JSON.stringify(granted)}`);
    }
    const a = await device(A);
    for (let i = 0; i < 10; i++) await a.publishAsync(topics.taps(A), `shared ${i}`, { qos: 1 });
    await waitUntil('the group received all 10 batches', () => seen.flat().length >= 10, { detail: () => JSON.stringify(seen) });
    await sleep(300);
    assert.equal(seen.flat().length, 10, 'each batch went to one member of the group');
    assert.ok(seen.every((messages) => messages.length > 0), `both members got a share (${seen.map((m) => m.length).join(' / ')})`);
  });

  it('lets the gates of a station share its passback topic, and no other station', async () => {
    const a = await device(A);
    const b = await device(B);
    const toB = recorder(b);
    await b.subscribeAsync([topics.stationPassback('ACL-STATION'), topics.stationPassback('OTHER-STATION')], { qos: 1 });
    await a.publishAsync(topics.stationPassback('OTHER-STATION'), 'A on another station', { qos: 1 });
    await a.publishAsync(topics.stationPassback('ACL-STATION'), 'A on its station', { qos: 1 });
    await waitUntil("B received A's share", () => toB.includes(`${topics.stationPassback('ACL-STATION')} A on its station`), { detail: () => JSON.stringify(toB) });
    await sleep(300);
    assert.deepEqual(toB, [`${topics.stationPassback('ACL-STATION')} A on its station`]);
  });

  it("gives a gate its own acks and refuses it another gate's", async (t) => {
    const service = await client(SERVICE.username, SERVICE.password);
    const a = await device(A);
    const toA = recorder(a);
    const grantedOwn = await a.subscribeAsync([topics.ack(A), topics.command(A), topics.allBundles, topics.time()], { qos: 1 });
    assert.deepEqual(grantedOwn.map((g) => g.qos), [1, 1, 1, 1], 'its own downlink topics, the bundles and the time are granted');
    // Mosquitto's acl_file does not check SUBSCRIBE (2.0.11 grants it) but checks read
    // access on every delivery; a broker that refuses in the SUBACK (qos 128) is as good.
    const grantedOther = await a.subscribeAsync([topics.ack(B), topics.command(B), `${TOPIC_ROOT}/devices/+/ack`, topics.taps(B)], { qos: 1 });
    t.diagnostic(`SUBACK for another gate's topics: ${grantedOther.map((g) => `${g.topic} ${g.qos}`).join(', ')}`);
    assert.ok(grantedOther.every((g) => g.qos === 128 || g.qos <= 1), JSON.stringify(grantedOther));

    await service.publishAsync(topics.ack(B), 'ack for B', { qos: 1 });
    await service.publishAsync(topics.command(B), 'command for B', { qos: 1 });
    await service.publishAsync(topics.taps(B), 'taps of B', { qos: 1 });
    await service.publishAsync(topics.ack(A), 'ack for A', { qos: 1 });
    await waitUntil('A received its own ack', () => toA.includes(`${topics.ack(A)} ack for A`), { detail: () => JSON.stringify(toA) });
    await sleep(500);
    assert.deepEqual(toA, [`${topics.ack(A)} ack for A`], "A received its own ack and nothing meant for B (B's ack, command and taps)");

    // And B does receive what is meant for B.
    const b = await device(B);
    const toB = recorder(b);
    await b.subscribeAsync(topics.ack(B), { qos: 1 });
    await service.publishAsync(topics.ack(B), 'second ack for B', { qos: 1 });
    await waitUntil('B received its ack', () => toB.includes(`${topics.ack(B)} second ack for B`));
  });
});
