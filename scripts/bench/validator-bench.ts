/**
 * The gate path with the journal on: code → decision → journal append → relay
 * commanded, against the decision alone, in one run; and the resident memory of the
 * real validator process while it takes a stream of taps.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { issueTicket } from '../../keys/issue-ticket.ts';
import { initKeys } from '../../keys/keyring.ts';
import { KEYS_FILES, readIssuerSigningKey } from '../../keys/keys-dir.ts';
import { DEFAULT_CHECK_SETTINGS } from '../../protocol/bundles/check-settings.ts';
import { trustStoreFromKeysDir } from '../../validator/check/load-keys-dir.ts';
import { PassbackState } from '../../validator/check/passback-state.ts';
import { keyedPassbackState } from '../../validator/passback/station-key.ts';
import { TicketChecker, type GateContext } from '../../validator/check/ticket-checker.ts';
import { GateController } from '../../validator/gate/gate-controller.ts';
import { createSimulatedHardware } from '../../validator/hardware/simulated-hardware.ts';
import { TapJournal } from '../../validator/journal/tap-journal.ts';
import { TapPipeline } from '../../validator/service/tap-pipeline.ts';
import { createValidatorMetrics } from '../../validator/service/validator-metrics.ts';
import { printTable, summarize, timeEach, verdict } from './stats.ts';

const RUNS = 5000;
/**
 * The node flags and environment of the systemd unit (scripts/deploy): a small young
 * generation, an old-space cap, one V8 helper thread, one malloc arena, two libuv threads.
 */
export const DEPLOYED_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=32', '--v8-pool-size=1'];
export const DEPLOYED_ENV = { MALLOC_ARENA_MAX: '1', UV_THREADPOOL_SIZE: '2' };

/** Gate timers run only when flushed, so every measured accept meets a closed lane. */
class ManualTimers {
  private pending = new Map<number, () => void>();
  private next = 1;
  setTimeout(callback: () => void): unknown {
    const id = this.next++;
    this.pending.set(id, callback);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  flush(): void {
    while (this.pending.size > 0) {
      const [id, callback] = this.pending.entries().next().value as [number, () => void];
      this.pending.delete(id);
      callback();
    }
  }
}

function makeTickets(count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'faregate-bench-'));
  const keysDir = join(dir, 'keys');
  const state = initKeys(keysDir, {});
  const issuer = readIssuerSigningKey(keysDir, state.signingKid);
  const now = Math.floor(Date.now() / 1000);
  const texts = Array.from({ length: count }, () => issueTicket({ product: 'day', validFrom: now - 60, validUntil: now + 86_400 }, issuer, now).text);
  return { dir, keysDir, texts, now };
}

export async function benchGatePath(): Promise<void> {
  const { dir, keysDir, texts, now } = makeTickets(4000);
  const logger = pino({ level: 'silent' });
  const gate: GateContext = { station: 'S1', zone: 1, mode: 'metro', direction: 'entry' };
  const clockReading = { seconds: now, trusted: true };
  const settings = { ...DEFAULT_CHECK_SETTINGS, passbackSeconds: 0 };
  const bareChecker = new TicketChecker(trustStoreFromKeysDir(keysDir), new PassbackState(), settings);
  const decisionAlone = timeEach('decision alone', RUNS, (i) => void bareChecker.check(texts[i % texts.length]!, gate, clockReading));

  // Decisions back to back without a turn of the event loop for I/O: no gate's pace. The seq
  // reservation (written in the background, off the gate path) is made large enough for all.
  const journal = new TapJournal({ dir: join(dir, 'journal'), reserveBlock: 1_000_000 }, logger);
  await journal.start();
  const timers = new ManualTimers();
  const hardware = createSimulatedHardware(logger);
  await hardware.start();
  let relayAt = 0n;
  hardware.relay.onChange((on) => {
    if (on) relayAt = process.hrtime.bigint();
  });
  const controller = new GateController({ outputs: hardware, display: hardware.display, journal: () => undefined, timers, logger });
  await controller.start();
  // As in the service: anti-passback under the station's keyed hash.
  const checker = new TicketChecker(trustStoreFromKeysDir(keysDir), keyedPassbackState(randomBytes(32)), settings);
  const pipeline = new TapPipeline(
    { device: 'bench', gate, checker, clock: { now: () => clockReading, nowMs: () => now * 1000 }, journal, controller, metrics: createValidatorMetrics(), onCommitted: () => undefined },
    logger,
  );
  const samples = new Float64Array(RUNS);
  for (let i = -200; i < RUNS; i++) {
    relayAt = 0n;
    const start = process.hrtime.bigint();
    pipeline.onCode(texts[(i + 4000) % texts.length]!);
    await controller.idle();
    if (relayAt === 0n) throw new Error('benchmark setup error: the relay did not open');
    if (i >= 0) samples[i] = Number(relayAt - start);
    controller.onPassage();
    timers.flush();
    await controller.idle();
    timers.flush();
  }
  const gatePath = summarize('code → relay, journal on', samples);
  await controller.stop();
  await hardware.stop();
  await journal.stop();
  printTable([decisionAlone, gatePath]);
  const ratio = gatePath.medianUs / decisionAlone.medianUs;
  console.log(`ratio code→relay with journal / decision alone (median): ${ratio.toFixed(2)}; journal commits: group-committed in the background`);
  console.log(verdict('code → relay p99 under 1 ms', gatePath.p99Us < 1000, `${gatePath.p99Us.toFixed(0)} µs`));
  console.log(verdict('code → relay within 1.5x of the decision alone', ratio <= 1.5, ratio.toFixed(2)));
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * The real validator process (simulated hardware, offline) fed taps on stdin as fast as
 * it takes them: as deployed (the esbuild bundle, `npm run build:validator`) and run
 * through tsx (the development form, which carries the TypeScript loader).
 */
export async function benchValidatorMemory(): Promise<void> {
  const bundle = join(mkdtempSync(join(tmpdir(), 'faregate-bundle-')), 'validator.mjs');
  await build({ entryPoints: ['validator/cli.ts'], bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', outfile: bundle, logLevel: 'warning' });
  // The bundle keeps the dependencies external: run it from the repository so they resolve.
  const deployed = join(process.cwd(), 'dist', 'bench-validator.mjs');
  mkdirSync(dirname(deployed), { recursive: true });
  copyFileSync(bundle, deployed);
  const bundled = await measureValidatorRss('bundled, deployed flags', [...DEPLOYED_NODE_FLAGS, deployed], DEPLOYED_ENV);
  await measureValidatorRss('bundled, node defaults', [deployed]);
  await measureValidatorRss('through tsx (development)', ['--import', 'tsx', 'validator/cli.ts']);
  console.log(verdict('validator resident memory under load < 80 MB (deployed bundle)', bundled < 80, `${bundled.toFixed(1)} MB`));
}

async function measureValidatorRss(label: string, entry: string[], env: Record<string, string> = {}): Promise<number> {
  const { dir, keysDir, texts } = makeTickets(3000);
  const config = join(dir, 'validator.json');
  writeFileSync(config, JSON.stringify({
    device: 'bench-1', station: 'S1', zone: 1, mode: 'metro', stateDir: join(dir, 'state'),
    rootPublicKeyFile: join(keysDir, KEYS_FILES.rootPublic),
    seedBundles: { trustList: join(keysDir, KEYS_FILES.trustList), denyList: join(keysDir, KEYS_FILES.denyList) },
    hardware: 'simulated', http: { port: 0 }, logLevel: 'warn',
  }));
  const child = spawn(process.execPath, [...entry, 'run', '--config', config], { stdio: ['pipe', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idle = rssMb(child.pid!);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid!))), 100);
  const rounds = 10;
  for (let round = 0; round < rounds; round++) {
    // Distinct codes (the reader de-duplicates repeats), 3,000 a round.
    child.stdin.write(`${texts.join('\n')}\n`);
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  clearInterval(sampler);
  const end = rssMb(child.pid!);
  child.kill('SIGTERM');
  console.log(`validator RSS, ${label}: idle ${idle.toFixed(1)} MB, peak under ${rounds * texts.length} taps ${peak.toFixed(1)} MB, after ${end.toFixed(1)} MB`);
  return peak;
}
