/**
 * Acceptance test of issue 8 point 7 against an external broker (npm run test:engines;
 * needs the `mosquitto` binary): the real gateway and real validators on a private
 * Mosquitto without persistence. The broker is killed and started again, losing every
 * retained message; the gateway notices its connection come back and publishes the
 * bundles again, so every connected gate receives them and a gate that has never had
 * any (empty state directory, nothing installed) gets them from the broker.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { topics } from '../../protocol/mqtt/topics.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { TestKeys } from '../../runtime/testing/test-keys.ts';
import { ValidatorProcess } from '../../runtime/testing/validator-process.ts';
import { addDevice, startGateway, waitUntil, writeValidatorConfig, type GatewayProcess } from './gateway-harness.ts';
import { PrivateMosquitto } from './private-mosquitto.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const SERVICE = { username: 'faregate-gateway', password: 'service-secret-for-the-restart-test' };
const STATION = 'BR-STATION';
const GATES = ['br-gate-1', 'br-gate-2', 'br-gate-fresh'];
const KINDS = ['trust', 'deny', 'fares'] as const;

/** The retained bundles a new subscriber gets from the broker right now. */
async function retainedBundles(url: string): Promise<string[]> {
  const client = await mqtt.connectAsync(url, { ...SERVICE, clientId: `br-observer-${Math.random().toString(36).slice(2, 8)}`, reconnectPeriod: 0 });
  const seen = new Set<string>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain && payload.length > 0) seen.add(topic);
  });
  await client.subscribeAsync(topics.allBundles, { qos: 1 });
  await new Promise((resolve) => setTimeout(resolve, 300)); // retained messages follow the SUBACK at once
  await client.endAsync(true);
  return KINDS.filter((kind) => seen.has(topics.bundle(kind)));
}

describe('bundles after a broker restart without persistence', { timeout: 150_000 }, () => {
  it('are back on the broker and reach every gate within seconds', async (t) => {
    const { dir, remove } = await makeTempDir('broker-restart');
    cleanups.push(remove);
    const mosquittoDir = join(dir, 'mosquitto');
    await mkdir(mosquittoDir);
    const mosquitto = new PrivateMosquitto(dir, mosquittoDir);
    const url = await mosquitto.reservePort();
    const dataDir = join(dir, 'gateway');
    const configFile = join(dir, 'gateway.json');
    await writeFile(configFile, JSON.stringify({ dataDir, mqtt: { mode: 'external', url, ...SERVICE } }));
    const credentials = new Map<string, { url: string; username: string; password: string }>();
    for (const device of GATES) {
      const issued = await addDevice(device, STATION, ['--config', configFile, '--mosquitto-dir', mosquittoDir]);
      credentials.set(device, { url, username: issued.username, password: issued.password });
    }
    cleanups.push(() => mosquitto.kill());
    await mosquitto.start();
    const { gateway } = await startGateway(['--config', configFile, '--http-port', '0']);
    cleanups.push(async () => void (await (gateway as GatewayProcess).stop(3000)));
    const keys = TestKeys.fromDir(join(dataDir, 'keys'));
    const configs = new Map<string, string>();
    for (const device of GATES) {
      const file = await writeValidatorConfig({ file: join(dir, `${device}.json`), device, station: STATION, stateDir: join(dir, device), keys, mqtt: credentials.get(device)! });
      const config = JSON.parse(await readFile(file, 'utf8')) as { seedBundles: Record<string, string> };
      config.seedBundles = {}; // nothing installed: every bundle must come from the broker
      await writeFile(file, JSON.stringify(config));
      configs.set(device, file);
    }
    const validators: ValidatorProcess[] = [];
    cleanups.push(async () => void (await Promise.all(validators.map((v) => v.stop()))));
    const start = async (device: string): Promise<ValidatorProcess> => {
      const validator = new ValidatorProcess(configs.get(device)!);
      validators.push(validator);
      await validator.ready();
      return validator;
    };
    const hasBundles = async (validator: ValidatorProcess): Promise<boolean> => {
      const { bundles } = await validator.health();
      return KINDS.every((kind) => bundles[kind] !== undefined);
    };
    const connected = [await start(GATES[0]!), await start(GATES[1]!)];
    for (const validator of connected) await waitUntil('a gate has every bundle from the broker', () => hasBundles(validator), { timeoutMs: 30_000 });
    assert.deepEqual(await retainedBundles(url), [...KINDS]);

    // The broker dies and comes back empty.
    const linesBefore = connected.map((validator) => validator.lines.length);
    await mosquitto.kill();
    await mosquitto.start();
    const restartedAt = Date.now();
    await waitUntil('the broker holds every bundle again', async () => (await retainedBundles(url)).length === KINDS.length, { timeoutMs: 30_000, intervalMs: 200 });
    const backOnBrokerMs = Date.now() - restartedAt;
    const received = (validator: ValidatorProcess, i: number): string[] =>
      validator.lines.slice(linesBefore[i]).map((line) => line.msg).filter((msg) => KINDS.some((kind) => msg.startsWith(`${kind} bundle `)));
    await waitUntil('every connected gate received the bundles again', () => connected.every((validator, i) => KINDS.every((kind) => received(validator, i).some((msg) => msg.startsWith(`${kind} bundle `)))), {
      timeoutMs: 30_000,
      detail: () => JSON.stringify(connected.map(received)),
    });
    const backOnGatesMs = Date.now() - restartedAt;
    const fresh = await start(GATES[2]!);
    await waitUntil('a gate with nothing installed gets every bundle from the broker', () => hasBundles(fresh), { timeoutMs: 30_000 });
    assert.ok(gateway.logged('retained bundles and pending commands published').some((line) => line.why === 'broker connection back'), gateway.describe());
    t.diagnostic(`after the broker restart: bundles retained again after ${backOnBrokerMs} ms, on every connected gate after ${backOnGatesMs} ms (upper bounds, polled)`);
  });
});
