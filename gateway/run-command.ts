/**
 * `npm run gateway -- run [--config FILE] [--mqtt-port N] [--http-port N] [--data-dir DIR] [--fare-feed DIR]`:
 * the operators' service. Prints where it listens (ports 0 = any free port).
 */
import type { Logger } from 'pino';
import { parseCommandArgs, UsageError } from '../runtime/cli/args.ts';
import { createLogger } from '../runtime/logger.ts';
import { ConfigError } from '../runtime/config-file.ts';
import { DirectoryLockedError } from '../runtime/directory-lock.ts';
import { KeysDirError } from '../keys/keys-dir.ts';
import { loadGatewayConfig, type GatewayOverrides } from './config/gateway-config.ts';
import { GatewayService } from './service/gateway-service.ts';
import { attachHttp } from './service/attach-http.ts';

/** A stop that hangs ends here, with a line saying so; well inside systemd's default 90 s stop timeout. */
const HARD_EXIT_MS = 30_000;

function portOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--${name}: "${String(value)}" is not a port number (0-65535, 0 = any free port)`);
  }
  return Number(value);
}

export function gatewayOverrides(args: string[]): { configPath: string | undefined; overrides: GatewayOverrides } {
  const { values } = parseCommandArgs(args, {
    config: { type: 'string' },
    'mqtt-port': { type: 'string' },
    'http-port': { type: 'string' },
    'data-dir': { type: 'string' },
    'fare-feed': { type: 'string' },
  });
  const overrides: GatewayOverrides = {};
  const mqttPort = portOption(values['mqtt-port'], 'mqtt-port');
  const httpPort = portOption(values['http-port'], 'http-port');
  if (mqttPort !== undefined) overrides.mqttPort = mqttPort;
  if (httpPort !== undefined) overrides.httpPort = httpPort;
  if (values['data-dir'] !== undefined) overrides.dataDir = values['data-dir'] as string;
  if (values['fare-feed'] !== undefined) overrides.fareFeed = values['fare-feed'] as string;
  return { configPath: values.config as string | undefined, overrides };
}

/** Starts a gateway; used by the CLI and by `npm start`. */
export interface RunningGateway {
  service: GatewayService;
  adminToken: string | undefined;
  httpUrl: () => string;
}

export async function startGateway(args: string[], logger?: Logger): Promise<RunningGateway> {
  const { configPath, overrides } = gatewayOverrides(args);
  const config = loadGatewayConfig(configPath, overrides);
  const log = logger ?? createLogger(config.logLevel, 'gateway');
  const service = new GatewayService(config, log);
  const http = await attachHttp(service, log, { configPath, dataDir: overrides.dataDir });
  await service.start();
  const { bootstrapApiToken } = await import('./http/api-auth.ts');
  // Shown once on stdout (never through the logs); undefined when a token already exists.
  const adminToken = await bootstrapApiToken(service.ledger);
  return { service, adminToken, httpUrl: () => `http://${config.http.host}:${http.port}` };
}

export async function runCommand(args: string[]): Promise<void> {
  let running: RunningGateway;
  try {
    running = await startGateway(args);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    process.stderr.write(`gateway: ${(error as Error).message}\n`);
    // A keys directory without a usable signing key is the operator's to fix, like bad config.
    process.exit(error instanceof ConfigError || error instanceof DirectoryLockedError || error instanceof KeysDirError ? 2 : 1);
  }
  const { service, httpUrl, adminToken } = running;
  process.stdout.write(`gateway: MQTT ${service.brokerUrl} (${service.config.mqtt.mode}), HTTP ${httpUrl()}, ledger ${service.config.ledger.kind}, data ${service.config.dataDir}\n`);
  if (adminToken) process.stdout.write(`gateway: first start, operator API token (shown once): ${adminToken}\n`);
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`gateway: ${signal}, stopping\n`);
    setTimeout(() => {
      process.stderr.write(`gateway: stop took longer than ${HARD_EXIT_MS / 1000} s; exiting hard\n`);
      process.exit(1);
    }, HARD_EXIT_MS).unref();
    // Each part that failed to stop was logged; the exit code says that one did.
    const stoppedCleanly = await service.stop().then(
      () => true,
      () => false,
    );
    process.exit(stoppedCleanly ? 0 : 1);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
