/**
 * The gateway's ingest, end to end: taps published over MQTT by many devices →
 * validated → committed in the ledger → application ack received by the device, in
 * taps per second, against the raw insert ceiling of the same store measured in the
 * same run (gateway/ledger/ledger-bench.ts). SQLite always; PostgreSQL when reachable.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { encodeMessage, parseBatchAck } from '../../protocol/mqtt/messages.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { resolveGatewayConfig } from '../../gateway/config/gateway-config.ts';
import { GatewayService } from '../../gateway/service/gateway-service.ts';
import { deviceClientId } from '../../gateway/broker/embedded-broker.ts';
import { measureLedgerThroughput } from '../../gateway/ledger/ledger-bench.ts';
import { postgresBenchStore, sqliteBenchStore } from '../../gateway/ledger/ledger-bench-stores.ts';
import { sampleTaps } from '../../gateway/ledger/sample-records.ts';
import { verdict } from './stats.ts';

const DEVICES = 20;
const BATCH = 100;
const WINDOW = 4;
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

async function endToEnd(ledger: Record<string, unknown>, taps: number): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'faregate-gwbench-'));
  const config = resolveGatewayConfig({ ledger, logLevel: 'warn' }, 'bench', { dataDir, mqttPort: 0, httpPort: 0 });
  const service = new GatewayService(config, pino({ level: 'warn' }));
  await service.start();
  const perDevice = Math.floor(taps / DEVICES / BATCH);
  const publishers = await Promise.all(
    Array.from({ length: DEVICES }, async (_, index) => {
      const device = `bench-${randomBytes(3).toString('hex')}-${index}`;
      const credentials = await service.devices.register({ id: device, station: 'central', zone: 1, mode: 'metro', direction: 'entry' });
      // Encoded before the clock starts: the devices' JSON work is not the gateway's.
      const payloads = Array.from({ length: perDevice }, (_, b) =>
        encodeMessage({ v: 1, device, firstSeq: b * BATCH + 1, lastSeq: (b + 1) * BATCH, records: sampleTaps(device, b * BATCH + 1, (b + 1) * BATCH) }),
      );
      const client = await mqtt.connectAsync(service.brokerUrl, { username: credentials.username, password: credentials.password, clientId: deviceClientId(device) });
      await client.subscribeAsync(topics.ack(device), { qos: 1 });
      return { device, client, payloads };
    }),
  );
  const started = performance.now();
  await Promise.all(
    publishers.map(({ device, client, payloads }) =>
      new Promise<void>((resolve) => {
        let sent = 0;
        const target = payloads.length * BATCH;
        const send = (): void => {
          while (sent < payloads.length && sent * BATCH - acked < WINDOW * BATCH) {
            void client.publishAsync(topics.taps(device), payloads[sent++]!, { qos: 1 });
          }
        };
        let acked = 0;
        client.on('message', (_topic, payload) => {
          acked = Math.max(acked, parseBatchAck(payload).ackedThrough);
          if (acked >= target) resolve();
          else send();
        });
        send();
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(publishers.map(({ client }) => client.endAsync()));
  await service.stop();
  return (perDevice * BATCH * DEVICES) / seconds;
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client(PG);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export async function benchGatewayIngest(): Promise<void> {
  const taps = 200_000;
  const sqliteStore = await measureLedgerThroughput(sqliteBenchStore(), { taps: 100_000, batchSize: BATCH });
  const sqliteE2e = await endToEnd({ kind: 'sqlite' }, taps);
  console.log(`SQLite: raw insert ceiling ${Math.round(sqliteStore.rawTapsPerSecond)} taps/s; ledger ingestBatches ${Math.round(sqliteStore.ingestTapsPerSecond)} taps/s; MQTT in → committed → acked ${Math.round(sqliteE2e)} taps/s (${DEVICES} devices, batches of ${BATCH})`);
  const sqliteRatio = sqliteE2e / sqliteStore.rawTapsPerSecond;
  console.log(`ratio end-to-end / raw ceiling (SQLite): ${sqliteRatio.toFixed(2)}`);
  console.log(verdict('SQLite end-to-end ≥ 20,000 taps/s', sqliteE2e >= 20_000, `${Math.round(sqliteE2e)}/s`));
  console.log(verdict('SQLite end-to-end ≥ half the raw ceiling', sqliteRatio >= 0.5, sqliteRatio.toFixed(2)));
  if (!(await postgresReachable())) {
    console.log('PostgreSQL not reachable on 127.0.0.1:5432: its figures are not measured in this run');
    return;
  }
  const pgStore = await measureLedgerThroughput(postgresBenchStore(PG), { taps: 100_000, batchSize: BATCH });
  const schema = `faregate_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(PG);
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    const pgE2e = await endToEnd({ kind: 'postgres', connectionString: `postgres://${PG.user}@${PG.host}:${PG.port}/${PG.database}`, schema }, taps);
    const ratio = pgE2e / pgStore.rawTapsPerSecond;
    console.log(`PostgreSQL: raw insert ceiling ${Math.round(pgStore.rawTapsPerSecond)} taps/s; ledger ingestBatches ${Math.round(pgStore.ingestTapsPerSecond)} taps/s; MQTT in → committed → acked ${Math.round(pgE2e)} taps/s`);
    console.log(`ratio end-to-end / raw ceiling (PostgreSQL): ${ratio.toFixed(2)}`);
    console.log(verdict('PostgreSQL end-to-end ≥ half the raw ceiling', ratio >= 0.5, ratio.toFixed(2)));
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}
