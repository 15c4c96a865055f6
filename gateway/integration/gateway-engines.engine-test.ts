/**
 * Acceptance test of the gateway at scale (npm run test:engines; needs Mosquitto on
 * 127.0.0.1:1883 and PostgreSQL on 127.0.0.1:5432, see scripts/ci/ensure-services.sh):
 * two gateway instances share the tap stream through an MQTT 5 shared subscription
 * on the external Mosquitto and write one PostgreSQL ledger (a fresh schema, dropped
 * afterwards). Real validator processes are fed codes all the time; one instance is
 * killed with SIGKILL mid-stream and started again while the other keeps clearing.
 * At the end the ledger holds every record of every gate exactly once.
 *
 * The broker is shared with other runs and other tests, so everything this run
 * touches is its own: device ids and the shared-subscription group carry a random
 * suffix (a run's gateways must not take another run's batches), and the retained
 * messages it leaves are cleared at the end.
 */
import { TestKeys } from '../../runtime/testing/test-keys.ts';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { initKeys } from '../../keys/keyring.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { PostgresLedger } from '../ledger/postgres-ledger.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { ValidatorProcess } from '../../runtime/testing/validator-process.ts';
import {
  addDevice,
  assertExactlyOnce,
  drained,
  Feeder,
  metricValue,
  sleep,
  startGateway,
  waitUntil,
  writeValidatorConfig,
  type GatewayProcess,
} from './gateway-harness.ts';

const BROKER = process.env.FAREGATE_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const PG_URL = process.env.FAREGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = randomBytes(4).toString('hex');
const SCHEMA = `faregate_it_${RUN}`;
const GROUP = `clearing-${RUN}`;
const DEVICES = [1, 2, 3].map((n) => `it-${RUN}-gate${n}`);

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
});

/** Publishes an empty retained message on each topic (clears it) and waits for the PUBACKs. */
async function clearRetained(topicList: string[]): Promise<void> {
  const client = await mqtt.connectAsync(BROKER, { clientId: `faregate-it-cleanup-${RUN}`, clean: true, username: 'faregate-it', password: 'unused' });
  try {
    for (const topic of topicList) await client.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true });
  } finally {
    await client.endAsync();
  }
}

/**
 * The retained bundles still as this run's gateways left them (another run may have
 * published its own since: those stay).
 */
async function ownRetainedBundles(ours: Map<string, Buffer>): Promise<string[]> {
  const client = await mqtt.connectAsync(BROKER, { clientId: `faregate-it-bundles-${RUN}`, clean: true, username: 'faregate-it', password: 'unused' });
  const found: string[] = [];
  try {
    client.on('message', (topic, payload) => {
      if (ours.get(topic)?.equals(payload)) found.push(topic);
    });
    await client.subscribeAsync(topics.allBundles, { qos: 1 });
    await sleep(500); // retained messages arrive right after the SUBACK
  } finally {
    await client.endAsync();
  }
  return found;
}

describe('two gateway instances on Mosquitto and PostgreSQL', { timeout: 240_000 }, () => {
  it('share the tap stream and clear every tap exactly once when one of them is killed mid-stream', async (t) => {
    const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
    cleanups.push(() => admin.end());
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
    cleanups.push(async () => void (await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)));
    const { dir, remove } = await makeTempDir('gateway-engines');
    cleanups.push(remove);

    // One keys directory for both instances; a config file each.
    const keysDir = join(dir, 'keys');
    initKeys(keysDir, { operator: 'it.faregate' });
    const keys = TestKeys.fromDir(keysDir);
    const configFiles: string[] = [];
    for (const name of ['a', 'b']) {
      const file = join(dir, `gateway-${name}.json`);
      const config = {
        dataDir: join(dir, `data-${name}`),
        keysDir,
        mqtt: { mode: 'external', url: BROKER, username: 'faregate-gateway', password: 'anything', sharedGroup: GROUP, protocolVersion: 5 },
        ledger: { kind: 'postgres', connectionString: PG_URL, schema: SCHEMA },
        http: { port: 0 },
      };
      await writeFile(file, JSON.stringify(config, null, 2));
      configFiles.push(file);
    }

    const gateways: GatewayProcess[] = [];
    cleanups.push(async () => {
      for (const gateway of gateways) await gateway.stop(3000);
    });
    const run = async (index: number, label: string, expectToken = false) => {
      const started = await startGateway(['--config', configFiles[index]!], { label, expectToken });
      gateways.push(started.gateway);
      return started;
    };
    // Runs before the schema is dropped: the bundles our gateways published are in the ledger.
    cleanups.push(async () => {
      const { rows } = await admin.query<{ type: string; bytes: Buffer }>(
        `SELECT DISTINCT ON (type) type, bytes FROM ${SCHEMA}.bundles WHERE type IN ('trust', 'deny', 'fares') ORDER BY type, version DESC`,
      );
      const ours = new Map(rows.map((row) => [topics.bundle(row.type as 'trust' | 'deny' | 'fares'), row.bytes]));
      await clearRetained(await ownRetainedBundles(ours));
    });
    const a = await run(0, 'gateway-a', true);
    assert.ok(a.addresses.token, 'the first instance on a new ledger prints the token');
    const b = await run(1, 'gateway-b');
    assert.equal(b.addresses.token, undefined, 'the second instance shares the ledger, and its token');
    assert.equal(a.addresses.mqttUrl, BROKER);

    // Gates registered with the command line against instance a's config (the shared ledger).
    const credentials = await Promise.all(DEVICES.map((device, i) => addDevice(device, `IT-STATION-${i}`, ['--config', configFiles[0]!])));
    const validators: ValidatorProcess[] = [];
    cleanups.push(async () => {
      await Promise.all(validators.map((validator) => validator.stop()));
      // What the gates left retained (their state, also their last will).
      await clearRetained(DEVICES.flatMap((device) => [topics.state(device), topics.command(device)]));
    });
    for (const [i, device] of DEVICES.entries()) {
      const issued = credentials[i]!;
      assert.equal(issued.username, device);
      const file = await writeValidatorConfig({
        file: join(dir, `${device}.json`),
        device,
        station: `IT-STATION-${i}`,
        stateDir: join(dir, device),
        keys,
        mqtt: { url: BROKER, username: issued.username, password: issued.password },
      });
      validators.push(new ValidatorProcess(file));
    }
    await Promise.all(validators.map((validator) => validator.ready()));
    await waitUntil('every validator is connected to Mosquitto', async () => (await Promise.all(validators.map((v) => v.health()))).every((h) => h.uplink.connected), {
      timeoutMs: 30_000,
    });

    const feeders = validators.map((validator) => new Feeder(validator, keys, { perTick: 3, everyMs: 100 }));
    cleanups.push(async () => {
      await Promise.all(feeders.map((feeder) => feeder.stop()));
    });
    const acked = async () => Promise.all(validators.map(async (v) => (await v.health()).journal.acknowledgedSeq));
    const batches = async (url: string) => metricValue(url, 'faregate_ingest_batches_total');

    // Both instances take part: each commits batches from the shared subscription.
    await waitUntil('both gateway instances have committed tap batches', async () => (await batches(a.addresses.httpUrl)) > 0 && (await batches(b.addresses.httpUrl)) > 0, {
      timeoutMs: 30_000,
      intervalMs: 250,
      detail: () => `${a.gateway.describe()}\n${b.gateway.describe()}`,
    });
    await sleep(2000);
    const split = { a: await batches(a.addresses.httpUrl), b: await batches(b.addresses.httpUrl) };

    // kill -9 instance b mid-stream; a keeps clearing alone (what b held un-acked is re-sent).
    b.gateway.kill('SIGKILL');
    assert.equal((await b.gateway.exited).signal, 'SIGKILL');
    const atKill = await acked();
    await waitUntil('instance a alone acks new taps of every gate', async () => (await acked()).every((seq, i) => seq > atKill[i]! + 30), {
      timeoutMs: 30_000,
      intervalMs: 100,
      detail: () => `acked at the kill: ${atKill.join(', ')}`,
    });
    const aAlone = await batches(a.addresses.httpUrl);

    // b comes back and takes its share again.
    const b2 = await run(1, 'gateway-b#2');
    await waitUntil('the restarted instance b commits batches again', async () => (await batches(b2.addresses.httpUrl)) > 0, {
      timeoutMs: 30_000,
      intervalMs: 250,
      detail: () => b2.gateway.describe(),
    });
    await sleep(2000);

    await Promise.all(feeders.map((feeder) => feeder.stop()));
    const committed: number[] = [];
    for (const [i, validator] of validators.entries()) committed.push(await drained(validator, feeders[i]!.fed));
    const final = { a: await batches(a.addresses.httpUrl), b2: await batches(b2.addresses.httpUrl) };
    const duplicates = (await metricValue(a.addresses.httpUrl, 'faregate_ingest_duplicate_records_total')) + (await metricValue(b2.addresses.httpUrl, 'faregate_ingest_duplicate_records_total'));

    // The PostgreSQL ledger, read as a clearing consumer would: page by page, per gate.
    const ledger = new PostgresLedger({ pool: { connectionString: PG_URL, max: 2 }, schema: SCHEMA });
    await ledger.start();
    try {
      // Seqs start where the gate's clock put them (new storage), so the ledger's size is the sum
      // of what each gate holds exactly once, not the sum of the last seqs.
      let recordsPerGate = 0;
      for (const [i, device] of DEVICES.entries()) {
        const records = [];
        let cursor: string | null = null;
        do {
          const page = await ledger.taps({ device, limit: 200, ...(cursor !== null && { cursor }) });
          records.push(...page.records);
          cursor = page.nextCursor;
        } while (cursor !== null);
        assertExactlyOnce(device, records, committed[i]!, validators[i]!);
        recordsPerGate += records.length;
        const progress = await ledger.deviceProgress(device);
        assert.deepEqual([progress.contiguousThrough, progress.highestSeq], [committed[i]!, committed[i]!], `${device}: watermark`);
        assert.deepEqual(await ledger.gaps(device), [], `${device}: no gaps`);
      }
      assert.deepEqual(await ledger.gaps(), [], 'no gaps in the whole ledger');
      const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${SCHEMA}.records`);
      assert.equal(Number(rows[0]!.n), recordsPerGate, 'the ledger holds nothing else');
    } finally {
      await ledger.stop();
    }

    for (const gateway of gateways) assert.deepEqual(await gateway.stop(), gateway === b.gateway ? { code: null, signal: 'SIGKILL' } : { code: 0, signal: null }, gateway.describe());

    t.diagnostic(
      `records per gate ${committed.join(', ')}; batches committed before the kill a=${split.a} b=${split.b}, a alone until b came back ${aAlone}, ` +
        `at the end a=${final.a} b(restarted)=${final.b2}; duplicate records dropped ${duplicates}; ` +
        `ack timeouts ${validators.map((v) => v.linesWith('no ack in time: re-sending').length).join(', ')}`,
    );
  });
});
