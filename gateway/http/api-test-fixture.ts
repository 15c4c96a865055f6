/**
 * What the HTTP tests share (conventions: fastify/demo's test/helper.ts): the app
 * built on a real SQLite ledger in a temp dir, a real keys directory, the real
 * FleetPublisher over a broker fake that records publishes, and a logger whose
 * lines the test can read. Never listens: tests use app.inject().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { initKeys } from '../../keys/keyring.ts';
import { FareClearing } from '../clearing/fare-clearing.ts';
import { loadFeed } from '../fares/fares-api.ts';
import { DeviceCredentials } from '../fleet/device-credentials.ts';
import { FleetPublisher, type BundlePublisher } from '../fleet/fleet-publisher.ts';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics/gateway-metrics.ts';
import type { GatewayApiContext, GatewayHealth } from '../service/gateway-context.ts';
import { createApiToken } from './api-auth.ts';
import type { ApiScope } from './api-scopes.ts';
import { buildApi, type PublicRateLimit } from './build-api.ts';

export const BROKER_URL = 'mqtt://127.0.0.1:1883';
/** What the harness's gateway tells a caller without a token to run (with a path that needs quoting). */
export const TOKEN_CREATE_COMMAND = "npm run gateway -- token create --name NAME --data-dir 'data/o<b>'";

export interface Published {
  topic: string;
  payload: Uint8Array;
  retain: boolean;
}

export interface ApiHarness {
  app: FastifyInstance;
  ctx: GatewayApiContext;
  ledger: SqliteLedger;
  metrics: GatewayMetrics;
  /** Only with options.fareFeedDir. */
  clearing: FareClearing | undefined;
  keysDir: string;
  published: Published[];
  /** A valid operator token with the admin scope. */
  token: string;
  /** A new token with just these scopes. */
  tokenWith(scopes: readonly ApiScope[]): Promise<string>;
  /** Flip to make ctx.health() report not ok. */
  health: { ok: boolean; fail?: Error };
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** app.inject() with the operator token. */
  operator(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  rateLimit?: PublicRateLimit;
  /** Passed to initKeys, e.g. to make the issuer key expired. */
  keysCreatedAt?: Date;
  issuerValidityDays?: number;
  /** A fare feed: clearing runs (started, not fed by MQTT: tests call clearing.observe). */
  fareFeedDir?: string;
}

export async function apiHarness(options: HarnessOptions = {}): Promise<ApiHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'faregate-http-'));
  const keysDir = join(dir, 'keys');
  initKeys(keysDir, { ...(options.issuerValidityDays !== undefined && { validityDays: options.issuerValidityDays }) }, options.keysCreatedAt);
  const ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
  await ledger.start();
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const published: Published[] = [];
  const broker: BundlePublisher = {
    publish: async (topic, payload, publishOptions) => void published.push({ topic, payload: new Uint8Array(payload), retain: publishOptions?.retain === true }),
  };
  const fleet = new FleetPublisher({ keysDir, timeBeaconIntervalMs: 60_000, fullDenyListDelayMs: 60_000 }, ledger, broker, logger);
  await fleet.start(); // as in the service: the retained state is out before the API serves
  const metrics = createGatewayMetrics();
  const health: ApiHarness['health'] = { ok: true };
  const clearing = options.fareFeedDir === undefined
    ? undefined
    : new FareClearing(ledger, loadFeed(options.fareFeedDir), metrics, logger, { minTravelMs: 120_000, lateAfterMs: 300_000 });
  await clearing?.start();
  const ctx: GatewayApiContext = {
    ledger,
    clearing: () => clearing,
    fleet,
    devices: new DeviceCredentials(ledger, { username: 'faregate-gateway', password: 'service-secret' }),
    metrics,
    registry: metrics.registry,
    keysDir,
    tokenCreateCommand: TOKEN_CREATE_COMMAND,
    brokerUrl: () => BROKER_URL,
    health: (): GatewayHealth => {
      if (health.fail) throw health.fail;
      return { ok: health.ok, ledger: 'sqlite', broker: { mode: 'embedded', url: BROKER_URL, connected: health.ok }, keysDir };
    },
  };
  const app = await buildApi(ctx, { logger, ...(options.rateLimit && { rateLimit: options.rateLimit }) });
  const token = await createApiToken(ledger, 'test operator', ['admin']);
  return {
    app,
    ctx,
    ledger,
    metrics,
    clearing,
    keysDir,
    published,
    token,
    tokenWith: (scopes) => createApiToken(ledger, `test ${scopes.join(',')}`, scopes),
    health,
    logs,
    operator: (inject) => app.inject({ ...inject, headers: { ...inject.headers, authorization: `Bearer ${token}` } }),
    close: async () => {
      await app.close();
      await clearing?.stop();
      await fleet.stop();
      await ledger.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
