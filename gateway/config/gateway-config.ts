/**
 * The gateway's configuration: embedded defaults (broker in the process, SQLite in
 * the data directory) unless told otherwise. A JSON file and/or command-line flags;
 * validated with every error listed as `path: message`.
 */
import { join, resolve } from 'node:path';
import { compileConfigSchema, ConfigError, readJsonConfig } from '../../runtime/config-file.ts';
import { fareFeedProblems, gatewayFileProblems } from './gateway-config-checks.ts';
import { isLoopbackHost, type TlsFiles } from '../broker/broker-tls.ts';

export interface GatewayConfig {
  dataDir: string;
  /** A keys directory (npm run keys -- init); created in the data directory when absent. */
  keysDir: string;
  operator: string;
  mqtt:
    | { mode: 'embedded'; host: string; port: number; tls: TlsFiles | undefined }
    | { mode: 'external'; url: string; username: string; password: string; sharedGroup?: string; protocolVersion: 4 | 5 };
  ledger: { kind: 'sqlite'; path: string } | { kind: 'postgres'; connectionString: string; schema?: string };
  http: { host: string; port: number };
  timeBeaconIntervalMs: number;
  fullDenyListDelayMs: number;
  /** Every retained bundle and pending command is published again this often (0: only at start and on reconnect). */
  bundleRepublishIntervalMs: number;
  /** A command for a gate that does not connect within this time is withdrawn. */
  commandTtlMs: number;
  logLevel: string;
  /** Fare clearing (docs/fare-rating.md, "Clearing in the gateway"); off without a feed. */
  fares: { feedDir: string | undefined; minTravelSeconds: number; lateAfterSeconds: number };
}

const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
/** Both files, or neither (then a development certificate is made in the data directory). */
const tlsFiles = {
  type: 'object',
  additionalProperties: false,
  properties: { certFile: { type: 'string', minLength: 1 }, keyFile: { type: 'string', minLength: 1 } },
  dependencies: { certFile: ['keyFile'], keyFile: ['certFile'] },
} as const;
const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dataDir: { type: 'string', minLength: 1 },
    keysDir: { type: 'string', minLength: 1 },
    operator: { type: 'string', minLength: 1 },
    mqtt: {
      type: 'object',
      required: ['mode'],
      properties: {
        mode: { enum: ['embedded', 'external'] },
        host: { type: 'string' },
        port,
        url: { type: 'string', pattern: '^(mqtt|mqtts|tcp|tls|ws|wss)://' },
        username: { type: 'string' },
        password: { type: 'string' },
        sharedGroup: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
        protocolVersion: { enum: [4, 5] },
        tls: tlsFiles,
        allowPlaintext: { type: 'boolean' },
      },
      if: { properties: { mode: { const: 'external' } } },
      then: { required: ['mode', 'url', 'username', 'password'] },
    },
    ledger: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { enum: ['sqlite', 'postgres'] }, path: { type: 'string' }, connectionString: { type: 'string' }, schema: { type: 'string' } },
      if: { properties: { kind: { const: 'postgres' } } },
      then: { required: ['kind', 'connectionString'] },
    },
    http: { type: 'object', additionalProperties: false, properties: { host: { type: 'string' }, port, allowPlaintext: { type: 'boolean' } } },
    timeBeaconIntervalMs: { type: 'integer', minimum: 100 },
    fullDenyListDelayMs: { type: 'integer', minimum: 0 },
    bundleRepublishIntervalMs: { type: 'integer', minimum: 0 },
    commandTtlMs: { type: 'integer', minimum: 1000 },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    fares: {
      type: 'object',
      additionalProperties: false,
      properties: {
        feedDir: { type: 'string', minLength: 1 },
        minTravelSeconds: { type: 'integer', minimum: 0 },
        lateAfterSeconds: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;
const schemaProblems = compileConfigSchema(schema);

export interface GatewayOverrides {
  dataDir?: string;
  mqttPort?: number;
  httpPort?: number;
  /** --fare-feed DIR: the fare feed, over fares.feedDir. */
  fareFeed?: string;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const fieldOf = (object: unknown, key: string): unknown => (typeof object === 'object' && object !== null ? (object as Record<string, unknown>)[key] : undefined);

/** The fare feed directory, resolved, or undefined (clearing off). */
export function fareFeedDir(file: unknown, overrides: GatewayOverrides = {}): string | undefined {
  const dir = overrides.fareFeed ?? str(fieldOf(fieldOf(file, 'fares'), 'feedDir'));
  return dir === undefined ? undefined : resolve(dir);
}

/** Where the gateway keeps its files, from a config value that may not have passed the schema. */
export function gatewayPaths(file: unknown, overrides: GatewayOverrides = {}): { dataDir: string; keysDir: string; sqlitePath: string | undefined } {
  const dataDir = resolve(overrides.dataDir ?? str(fieldOf(file, 'dataDir')) ?? 'data');
  const ledger = fieldOf(file, 'ledger');
  const sqlite = fieldOf(ledger, 'kind') !== 'postgres';
  return {
    dataDir,
    keysDir: resolve(str(fieldOf(file, 'keysDir')) ?? join(dataDir, 'keys')),
    sqlitePath: sqlite ? resolve(str(fieldOf(ledger, 'path')) ?? join(dataDir, 'ledger.sqlite')) : undefined,
  };
}

/** Builds the config from an optional file and the CLI flags, defaults filled in; throws ConfigError listing every problem. */
export function resolveGatewayConfig(file: unknown, source: string, overrides: GatewayOverrides = {}): GatewayConfig {
  const problems = schemaProblems(file);
  if (fieldOf(fieldOf(file, 'mqtt'), 'mode') === 'external' && overrides.mqttPort !== undefined) {
    problems.push('--mqtt-port: only for the embedded broker; the external broker is mqtt.url');
  }
  problems.push(...plaintextProblems(file));
  if (problems.length > 0) throw new ConfigError(problems, source);
  const raw = file as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- validated above
  const { dataDir, keysDir, sqlitePath } = gatewayPaths(file, overrides);
  const rawMqtt = raw.mqtt ?? { mode: 'embedded' };
  const mqtt: GatewayConfig['mqtt'] =
    rawMqtt.mode === 'external'
      ? { mode: 'external', url: rawMqtt.url, username: rawMqtt.username, password: rawMqtt.password, protocolVersion: rawMqtt.protocolVersion ?? 5, ...(rawMqtt.sharedGroup && { sharedGroup: rawMqtt.sharedGroup }) }
      : { mode: 'embedded', host: rawMqtt.host ?? '127.0.0.1', port: overrides.mqttPort ?? rawMqtt.port ?? 1883, tls: brokerTls(rawMqtt.tls, dataDir) };
  const rawLedger = raw.ledger ?? { kind: 'sqlite' };
  const ledger: GatewayConfig['ledger'] =
    rawLedger.kind === 'postgres'
      ? { kind: 'postgres', connectionString: rawLedger.connectionString, ...(rawLedger.schema && { schema: rawLedger.schema }) }
      : { kind: 'sqlite', path: sqlitePath! };
  return {
    dataDir,
    keysDir,
    operator: raw.operator ?? 'local.faregate',
    mqtt,
    ledger,
    http: { host: raw.http?.host ?? '127.0.0.1', port: overrides.httpPort ?? raw.http?.port ?? 8080 },
    timeBeaconIntervalMs: raw.timeBeaconIntervalMs ?? 5000,
    fullDenyListDelayMs: raw.fullDenyListDelayMs ?? 30_000,
    bundleRepublishIntervalMs: raw.bundleRepublishIntervalMs ?? 600_000,
    commandTtlMs: raw.commandTtlMs ?? 86_400_000,
    logLevel: raw.logLevel ?? 'info',
    fares: {
      feedDir: fareFeedDir(file, overrides),
      minTravelSeconds: raw.fares?.minTravelSeconds ?? 120,
      lateAfterSeconds: raw.fares?.lateAfterSeconds ?? 300,
    },
  };
}

/** `mqtt.tls` as files: the ones given, or the development certificate's place in the data directory. */
function brokerTls(raw: { certFile?: string; keyFile?: string } | undefined, dataDir: string): TlsFiles | undefined {
  if (raw === undefined) return undefined;
  if (raw.certFile !== undefined && raw.keyFile !== undefined) return { certFile: resolve(raw.certFile), keyFile: resolve(raw.keyFile), generate: false };
  return { certFile: join(dataDir, 'tls', 'broker-cert.pem'), keyFile: join(dataDir, 'tls', 'broker-key.pem'), generate: true };
}

/**
 * Passwords and ticket ids must not cross a network in clear: the embedded broker on a
 * non-loopback address needs TLS, and the HTTP API there needs a TLS reverse proxy in
 * front; either may be allowed in clear explicitly (`allowPlaintext: true`).
 */
function plaintextProblems(file: unknown): string[] {
  const problems: string[] = [];
  const mqtt = fieldOf(file, 'mqtt');
  const mqttHost = str(fieldOf(mqtt, 'host')) ?? '127.0.0.1';
  if (fieldOf(mqtt, 'mode') !== 'external' && !isLoopbackHost(mqttHost) && fieldOf(mqtt, 'tls') === undefined && fieldOf(mqtt, 'allowPlaintext') !== true) {
    problems.push(`/mqtt/host: ${mqttHost} is not a loopback address: set mqtt.tls (certificate files, or {} for a development certificate), or mqtt.allowPlaintext: true`);
  }
  const http = fieldOf(file, 'http');
  const httpHost = str(fieldOf(http, 'host')) ?? '127.0.0.1';
  if (!isLoopbackHost(httpHost) && fieldOf(http, 'allowPlaintext') !== true) {
    problems.push(`/http/host: ${httpHost} is not a loopback address: serve the API through a TLS reverse proxy on this host (keep http.host 127.0.0.1), or set http.allowPlaintext: true`);
  }
  return problems;
}

/**
 * Reads and checks the config before anything starts: schema errors, flags that do not
 * fit it, and unusable directories or keys (gateway-config-checks.ts), all in one ConfigError.
 */
export function loadGatewayConfig(path: string | undefined, overrides: GatewayOverrides): GatewayConfig {
  const value = path === undefined ? {} : readJsonConfig(path);
  const source = path ?? 'defaults';
  let config: GatewayConfig | undefined;
  let problems: readonly string[] = [];
  try {
    config = resolveGatewayConfig(value, source, overrides);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  problems = [...problems, ...gatewayFileProblems(value, gatewayPaths(value, overrides)), ...fareFeedProblems(fareFeedDir(value, overrides))];
  if (problems.length > 0 || config === undefined) throw new ConfigError([...problems], source);
  return config;
}
