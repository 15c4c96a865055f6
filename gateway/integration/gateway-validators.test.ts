/**
 * Acceptance test of the fare-clearing gateway on embedded defaults (issue: "The
 * fare-clearing gateway"): the real gateway process (aedes broker and SQLite ledger
 * inside it) and three real validator processes (simulated hardware) fed codes all
 * the time, while the gateway is restarted gracefully and later killed with SIGKILL,
 * each time coming back on the same ports and data directory. At the end every tap
 * of every gate is in the ledger exactly once: seqs 1..N, no gap, no duplicate.
 */
import { TestKeys } from '../../runtime/testing/test-keys.ts';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { ValidatorProcess } from '../../runtime/testing/validator-process.ts';
import {
  assertExactlyOnce,
  drained,
  Feeder,
  GatewayApi,
  metricValue,
  startGateway,
  waitUntil,
  writeValidatorConfig,
  type GatewayProcess,
} from './gateway-harness.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const DEVICES = ['gate-a1', 'gate-a2', 'gate-b1'];

describe('the gateway with real validators', { timeout: 400_000 }, () => {
  it('clears every tap exactly once across a graceful restart and a kill -9 of the gateway', async (t) => {
    const { dir, remove } = await makeTempDir('gateway-it');
    cleanups.push(remove);
    const dataDir = join(dir, 'gateway');
    const gateways: GatewayProcess[] = [];
    cleanups.push(async () => {
      for (const gateway of gateways) await gateway.stop(3000);
    });
    const run = async (args: string[], label: string, expectToken = false) => {
      const started = await startGateway(['--data-dir', dataDir, ...args], { label, expectToken });
      gateways.push(started.gateway);
      return started;
    };

    // First start: any free ports; the token is printed once.
    const first = await run(['--mqtt-port', '0', '--http-port', '0'], 'gateway#1', true);
    const { mqttPort, httpPort, httpUrl, token } = first.addresses;
    assert.ok(token, 'the first start prints an operator API token');
    const samePorts = ['--mqtt-port', String(mqttPort), '--http-port', String(httpPort)];
    const api = new GatewayApi(httpUrl, token);

    // Gates registered through the API; keys and tickets from the gateway's keys directory.
    const keys = TestKeys.fromDir(join(dataDir, 'keys'));
    const validators: ValidatorProcess[] = [];
    cleanups.push(async () => {
      await Promise.all(validators.map((validator) => validator.stop()));
    });
    for (const [i, device] of DEVICES.entries()) {
      const mqtt = await api.registerDevice(device, `STATION-${i}`);
      assert.equal(mqtt.url, first.addresses.mqttUrl);
      assert.equal(mqtt.username, device);
      const file = await writeValidatorConfig({ file: join(dir, `${device}.json`), device, station: `STATION-${i}`, stateDir: join(dir, device), keys, mqtt });
      validators.push(new ValidatorProcess(file));
    }
    await Promise.all(validators.map((validator) => validator.ready()));
    await waitUntil('every validator is connected to the gateway', async () => (await Promise.all(validators.map((v) => v.health()))).every((h) => h.uplink.connected), {
      timeoutMs: 60_000,
    });

    const feeders = validators.map((validator) => new Feeder(validator, keys, { perTick: 3, everyMs: 100 }));
    cleanups.push(async () => {
      await Promise.all(feeders.map((feeder) => feeder.stop()));
    });
    /** Each validator's acked seq now; then waits until the gateway acks more of every journal. */
    const acked = async () => Promise.all(validators.map(async (v) => (await v.health()).journal.acknowledgedSeq));
    const progressAfter = async (what: string, before: number[]) =>
      waitUntil(`the gateway acks new taps of every validator ${what}`, async () => (await acked()).every((seq, i) => seq > before[i]!), {
        timeoutMs: 60_000,
        intervalMs: 100,
        detail: () => `acked before: ${before.join(', ')}`,
      });

    /** While the gateway is down, every gate keeps journalling taps nobody acks. */
    const outage = async (what: string) =>
      waitUntil(`every validator has a backlog after ${what}`, async () => (await Promise.all(validators.map((v) => v.health()))).every((h) => !h.uplink.connected && h.journal.backlogRecords > 0), {
        timeoutMs: 60_000,
        intervalMs: 50,
      });

    // Phase 1: taps flow to the first gateway.
    await progressAfter('at first', [0, 0, 0]);
    await progressAfter('while the stream runs', await acked());
    const batchesBeforeRestart = await metricValue(httpUrl, 'faregate_ingest_batches_total');
    assert.ok(batchesBeforeRestart > 0, 'the first gateway committed batches');

    // (a) Graceful restart: SIGTERM, wait for the exit, the same ports again.
    const exit = await first.gateway.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, first.gateway.describe());
    await outage('the graceful stop');
    const beforeRestart = await acked();
    const second = await run(samePorts, 'gateway#2');
    assert.equal(second.addresses.token, undefined, 'no new token on a restart');
    assert.equal(second.addresses.mqttPort, mqttPort);
    assert.equal(second.addresses.httpPort, httpPort);
    await progressAfter('after the graceful restart', beforeRestart);
    await progressAfter('while the stream runs again', await acked());

    // (b) kill -9 in the middle of the stream, then start again on the same ports and data.
    const committedBeforeKill = (await Promise.all(validators.map((v) => v.health()))).map((h) => h.journal.committedSeq);
    second.gateway.kill('SIGKILL');
    const killed = await second.gateway.exited;
    assert.equal(killed.signal, 'SIGKILL');
    await outage('the kill -9');
    const beforeKill = await acked();
    const third = await run(samePorts, 'gateway#3');
    await progressAfter('after the kill -9', beforeKill);
    await progressAfter('while the stream runs after the kill', await acked());

    // Stop feeding; everything drains.
    await Promise.all(feeders.map((feeder) => feeder.stop()));
    const committed: number[] = [];
    for (const [i, validator] of validators.entries()) committed.push(await drained(validator, feeders[i]!.fed));

    // The ledger, through the API (paged) and then straight from the SQLite file.
    const api3 = new GatewayApi(third.addresses.httpUrl, token);
    for (const [i, device] of DEVICES.entries()) {
      const { records, pages } = await api3.records(device, 100);
      assert.ok(pages > 1, `${device}: the records came in several pages`);
      assertExactlyOnce(device, records, committed[i]!, validators[i]!);
      assert.ok(committed[i]! > committedBeforeKill[i]!, `${device}: taps were journalled after the kill`);
    }
    assert.deepEqual(await api3.gaps(), [], 'GET /api/gaps: none');
    const duplicates = await metricValue(third.addresses.httpUrl, 'faregate_ingest_duplicate_records_total');

    assert.deepEqual(await third.gateway.stop(), { code: 0, signal: null }, third.gateway.describe());
    const ledger = new SqliteLedger({ path: join(dataDir, 'ledger.sqlite') });
    await ledger.start();
    try {
      for (const [i, device] of DEVICES.entries()) {
        const progress = await ledger.deviceProgress(device);
        assert.deepEqual([progress.contiguousThrough, progress.highestSeq], [committed[i]!, committed[i]!], `${device}: SQLite watermark`);
        const page = await ledger.taps({ device, kind: 'tap', limit: 10_000 });
        assert.equal(page.records.length, validators[i]!.taps().length, `${device}: SQLite holds one tap record per 'tap' log line`);
      }
      assert.deepEqual(await ledger.gaps(), []);
    } finally {
      await ledger.stop();
    }

    const resends = validators.map((v) => v.linesWith('no ack in time: re-sending').length);
    const connects = validators.map((v) => v.linesWith('connected to the broker').length);
    assert.ok(connects.every((n) => n >= 3), `every validator connected to each of the three gateway runs (${connects.join(', ')})`);
    t.diagnostic(
      `records per gate ${committed.join(', ')}; codes fed ${feeders.map((f) => f.fed).join(', ')}; ` +
        `connections ${connects.join(', ')}; ack timeouts ${resends.join(', ')}; duplicates dropped by the last gateway ${duplicates}`,
    );
  });
});
