/**
 * `npm start`: the whole thing on embedded defaults — the gateway (MQTT broker inside,
 * SQLite ledger in ./data/demo, HTTP API and dashboard), a simulated station of gates
 * running the real validator code, and riders tapping through it. Ports 1883 and 8080
 * when free, any free port otherwise; the addresses and an API token are printed —
 * the same token on every start (kept in data/demo/api-token).
 */
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import pino from 'pino';
import { startGateway, type RunningGateway } from '../gateway/run-command.ts';
import { keptApiToken } from '../gateway/http/kept-token.ts';
import { tokenCreateCommand } from '../gateway/http/token-hint.ts';
import { PortInUseError } from '../gateway/broker/embedded-broker.ts';
import { SimulatedStation } from '../simulator/simulated-station.ts';
import { RiderFlow } from '../simulator/riders.ts';
import { DirectoryLock, DirectoryLockedError } from '../runtime/directory-lock.ts';

const dataDir = join(process.cwd(), 'data', 'demo');
/** The demo network's fare feed: account taps are rated as they arrive (docs/fare-rating.md). */
const fareFeed = join(process.cwd(), 'gateway', 'fares', 'examples', 'demo-feed');
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The usual ports when free, any free port otherwise (Mosquitto often holds 1883). */
async function choosePort(preferred: number, what: string): Promise<string> {
  if (await portIsFree(preferred)) return String(preferred);
  console.log(`${what} port ${preferred} is in use: taking any free port`);
  return '0';
}

async function startWithFallback(): Promise<RunningGateway> {
  const ports = ['--mqtt-port', await choosePort(1883, 'MQTT'), '--http-port', await choosePort(8080, 'HTTP')];
  try {
    return await startGateway(['--data-dir', dataDir, '--fare-feed', fareFeed, ...ports], logger);
  } catch (error) {
    // Taken between the probe and the start: once more on any free ports.
    if (!(error instanceof PortInUseError) && !/already in use/.test((error as Error).message)) throw error;
    return startGateway(['--data-dir', dataDir, '--fare-feed', fareFeed, '--mqtt-port', '0', '--http-port', '0'], logger);
  }
}

/** Two `npm start` on one directory would write the same gate journals: say which one is in use. */
function refuseDirectoryInUse(error: DirectoryLockedError): never {
  console.error(`npm start: the data directory ${dataDir} is in use by another Faregate (process ${error.holder.pid ?? '?'}). Stop it first.\n${error.message}`);
  process.exit(2);
}

// Checked before anything starts, so the answer is this one message (the gateway takes the lock for good).
const probe = new DirectoryLock(dataDir, 'npm start');
try {
  probe.acquire();
  probe.release();
} catch (error) {
  if (error instanceof DirectoryLockedError) refuseDirectoryInUse(error);
  throw error;
}
const gateway = await startWithFallback().catch((error: unknown) => {
  if (error instanceof DirectoryLockedError) refuseDirectoryInUse(error); // taken meanwhile
  throw error;
});
const { service } = gateway;
// One demo token across starts (kept in the demo's data dir, mode 0600), not one more per start,
// with what the dashboard does (read, issue tickets, deny them) and no more: least privilege.
const tokenFile = join(dataDir, 'api-token');
const kept = await keptApiToken(service.ledger, tokenFile, 'npm start', ['read', 'issue', 'deny'], gateway.adminToken);
const station = new SimulatedStation(
  {
    station: 'central',
    zone: 1,
    mode: 'metro',
    gates: [
      { id: 'central-01', direction: 'entry' },
      { id: 'central-02', direction: 'entry' },
      { id: 'central-03', direction: 'exit' },
    ],
    keysDir: service.config.keysDir,
    brokerUrl: service.brokerUrl,
    stateDir: join(dataDir, 'gates'),
  },
  service.devices,
  logger,
);
await station.start();
const riders = new RiderFlow(station.gates, { keysDir: service.config.keysDir, zone: 1, ratePerSecond: 4 }, logger);
await riders.start();

console.log(`
Faregate is running (embedded defaults, data in ${dataDir})
  dashboard   ${gateway.httpUrl()}/        API token (read, issue, deny): ${kept.token}
              (${kept.reused ? 'the same as last time' : 'new'}, kept in ${relative(process.cwd(), tokenFile)}; more with: ${tokenCreateCommand({ dataDir })})
  API docs    ${gateway.httpUrl()}/docs
  MQTT        ${service.brokerUrl}
  station     central: ${station.gates.map((gate) => `${gate.id} (${gate.direction}, health http://127.0.0.1:${gate.service.http?.port}/healthz)`).join(', ')}
  riders      4 a second, some with garbage, some coming back too soon, some with rotating app codes
Ctrl-C stops everything.`);

const report = setInterval(async () => {
  const page = await service.ledger.taps({ limit: 10_000 });
  const gaps = await service.ledger.gaps();
  console.log(`${new Date().toISOString()}  riders ${riders.riders}, records cleared ${page.records.length}${page.nextCursor ? '+' : ''}, gaps ${gaps.length}`);
}, 10_000);

let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  clearInterval(report);
  setTimeout(() => process.exit(1), 10_000).unref();
  await riders.stop();
  await station.stop();
  await service.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
