/**
 * What the gateway's acceptance tests share (tests only): the real gateway process
 * (`node --import tsx gateway/cli.ts run ...`) with its start-up lines parsed, the
 * operator API, validators configured from a registration, a steady stream of codes
 * fed to each validator, and the end-of-test check that a ledger holds every record
 * of every validator exactly once. The validator side
 * comes from runtime/testing/ (shared with the validator's tests).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { Mode } from '../../protocol/ticket/claims.ts';
import type { Direction, JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { hashPrefix } from '../../runtime/logger.ts';
import type { TestKeys } from '../../runtime/testing/test-keys.ts';
import { writeConfig } from '../../runtime/testing/validator-config-file.ts';
import { ROOT, type ValidatorProcess } from '../../runtime/testing/validator-process.ts';
import { sleep, waitUntil } from '../../runtime/testing/wait.ts';

export { ROOT, sleep, waitUntil };

/** A free TCP port on loopback (closed again before it is returned). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface GatewayAddresses {
  mqttUrl: string;
  mqttPort: number;
  httpUrl: string;
  httpPort: number;
  /** Printed on the first start against a ledger only. */
  token: string | undefined;
}

const STARTED = /^gateway: MQTT (\S+) \(\w+\), HTTP (\S+), ledger /;
const TOKEN = /^gateway: first start, operator API token \(shown once\): (\S+)/;

/** The real gateway process; its stdout kept line by line (start-up lines and pino JSON). */
export class GatewayProcess {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';

  constructor(
    args: string[],
    readonly label = 'gateway',
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli.ts', 'run', ...args], { cwd: ROOT, stdio: 'pipe' });
    this.child.stdin.end();
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      this.lines.push(...lines.filter((line) => line.trim() !== ''));
    });
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for the start-up line (and, with `expectToken`, the token line) and parses them. */
  async ready({ expectToken = false, timeoutMs = 60_000 } = {}): Promise<GatewayAddresses> {
    const started = (): RegExpExecArray | undefined => this.lines.map((line) => STARTED.exec(line)).find((match) => match !== null) ?? undefined;
    const token = (): string | undefined => this.lines.map((line) => TOKEN.exec(line)?.[1]).find((value) => value !== undefined);
    await waitUntil(`${this.label} has started`, () => (started() !== undefined && (!expectToken || token() !== undefined)) || !this.running, {
      timeoutMs,
      detail: () => this.describe(),
    });
    const match = started();
    if (!match) throw new Error(`${this.label} did not start: ${this.describe()}`);
    const mqttUrl = match[1]!;
    const httpUrl = match[2]!;
    return { mqttUrl, mqttPort: Number(new URL(mqttUrl).port), httpUrl, httpPort: Number(new URL(httpUrl).port), token: token() };
  }

  /** Exit status, stderr and the last lines of stdout: for failure messages. */
  describe(): string {
    return `${this.label} (pid ${this.pid}, ${this.running ? 'running' : `exited ${this.child.exitCode ?? this.child.signalCode}`}); stderr: ${this.stderr}; last stdout:\n${this.lines.slice(-15).join('\n')}`;
  }

  /** Pino lines with this message. */
  logged(msg: string): Array<Record<string, unknown>> {
    const found: Array<Record<string, unknown>> = [];
    for (const line of this.lines) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.msg === msg) found.push(parsed);
      } catch {
        // a line cut short by a kill
      }
    }
    return found;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves with how it exited. */
  async stop(graceMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
      const result = await this.exited;
      clearTimeout(timer);
      return result;
    }
    return this.exited;
  }
}

/**
 * Starts a gateway and waits until it is up. A port given on the command line may
 * still be held for a moment after the previous instance died (or briefly be taken
 * by someone else), so a start that fails is retried a few times.
 */
export async function startGateway(args: string[], options: { label?: string; expectToken?: boolean; attempts?: number } = {}): Promise<{ gateway: GatewayProcess; addresses: GatewayAddresses }> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const gateway = new GatewayProcess(args, options.label);
    try {
      const addresses = await gateway.ready({ expectToken: options.expectToken ?? false });
      return { gateway, addresses };
    } catch (error) {
      gateway.kill();
      await gateway.exited;
      if (attempt >= attempts || !/EADDRINUSE/.test(gateway.stderr + gateway.lines.join('\n'))) throw error;
      await sleep(500);
    }
  }
}

/** The operator API with a bearer token. */
export class GatewayApi {
  constructor(
    public baseUrl: string,
    private readonly token: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  async registerDevice(id: string, station: string, place: GatePlace = {}): Promise<{ url: string; username: string; password: string }> {
    const { status, body } = await this.request<{ id: string; mqtt: { url: string; username: string; password: string } }>('POST', '/api/devices', {
      id,
      station,
      zone: 1,
      mode: place.mode ?? 'metro',
      direction: place.direction ?? 'entry',
    });
    assert.equal(status, 201, `POST /api/devices ${id}: ${JSON.stringify(body)}`);
    return body.mqtt;
  }

  /** Every journal record of a device, in seq order, page by page. */
  async records(device: string, pageSize = 500): Promise<{ records: JournalRecord[]; pages: number }> {
    const records: JournalRecord[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = new URLSearchParams({ device, limit: String(pageSize), ...(cursor !== null && { cursor }) });
      const { status, body } = await this.request<{ records: JournalRecord[]; nextCursor: string | null }>('GET', `/api/taps?${query}`);
      assert.equal(status, 200, `GET /api/taps: ${JSON.stringify(body)}`);
      records.push(...body.records);
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null);
    return { records, pages };
  }

  async gaps(): Promise<Array<{ device: string; fromSeq: number; toSeq: number }>> {
    const { status, body } = await this.request<{ gaps: Array<{ device: string; fromSeq: number; toSeq: number }> }>('GET', '/api/gaps');
    assert.equal(status, 200);
    return body.gaps;
  }
}

/** One sample of a Prometheus text exposition (no labels), or 0 when absent. */
export async function metricValue(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

/** A gate's mode and direction (default a metro entry gate). */
export interface GatePlace {
  mode?: Mode;
  direction?: Direction;
}

export interface ValidatorSetup extends GatePlace {
  file: string;
  device: string;
  station: string;
  stateDir: string;
  keys: TestKeys;
  mqtt: { url: string; username: string; password: string };
}

/**
 * A validator config: the acceptance tests' settings (writeConfig: simulated
 * hardware, quick reconnects, 2 s ack timeout) for this device and its credentials.
 */
export async function writeValidatorConfig(setup: ValidatorSetup): Promise<string> {
  // writeConfig reads only rootPublicKeyFile and seedBundles of its keys (TestKeys has a
  // private constructor, so the gateway's own keys directory cannot be one).
  await writeConfig(setup.file, { stateDir: setup.stateDir, keys: setup.keys, mqttUrl: setup.mqtt.url });
  const config = JSON.parse(await readFile(setup.file, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- our own file
  config.device = setup.device;
  config.station = setup.station;
  if (setup.mode !== undefined) config.mode = setup.mode;
  if (setup.direction !== undefined) config.direction = setup.direction;
  config.mqtt.username = setup.mqtt.username;
  config.mqtt.password = setup.mqtt.password;
  await writeFile(setup.file, JSON.stringify(config, null, 2));
  return setup.file;
}

/** Feeds a validator a few codes every `everyMs` until stopped: mostly tickets, now and then garbage. */
export class Feeder {
  fed = 0;
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly validator: ValidatorProcess,
    private readonly keys: TestKeys,
    { perTick = 3, everyMs = 100 }: { perTick?: number; everyMs?: number } = {},
  ) {
    this.done = (async () => {
      while (this.running) {
        const codes: string[] = [];
        for (let i = 0; i < perTick; i++) codes.push(this.fed++ % 10 === 9 ? `garbage-${this.fed}` : this.keys.ticket().text);
        this.validator.feed(codes);
        await sleep(everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/**
 * Waits until the validator's journal is drained: every code fed logged as a tap,
 * nothing un-acked, and no record still to come (an accepted rider's 'not-used'
 * passage record follows its tap after the passage timeout). Returns committedSeq.
 */
export async function drained(validator: ValidatorProcess, fed: number, timeoutMs = 60_000): Promise<number> {
  let last = '';
  let settled: number | undefined;
  await waitUntil(
    `the validator has logged ${fed} taps and the gateway acked its whole journal`,
    async () => {
      const { journal } = await validator.health();
      last = JSON.stringify(journal);
      const done = validator.taps().length >= fed && journal.backlogRecords === 0 && journal.acknowledgedSeq === journal.committedSeq;
      if (!done) return false;
      // The same committedSeq a second later: no record was still on its way.
      if (settled === journal.committedSeq) return true;
      settled = journal.committedSeq;
      return false;
    },
    { timeoutMs, intervalMs: 1000, detail: () => `${validator.taps().length} taps logged; journal ${last}; stderr ${validator.stderr}` },
  );
  return settled!;
}

/** What is wrong with a device's seqs against first..last: missing, repeated or extra ones (all empty when right). */
export function seqProblems(seqs: readonly number[], first: number, last: number): { missing: number[]; repeated: number[]; extra: number[]; count: number } {
  const seen = new Map<number, number>();
  for (const seq of seqs) seen.set(seq, (seen.get(seq) ?? 0) + 1);
  const missing: number[] = [];
  for (let seq = first; seq <= last && missing.length < 20; seq++) if (!seen.has(seq)) missing.push(seq);
  return {
    missing,
    repeated: [...seen].filter(([, n]) => n > 1).map(([seq]) => seq).slice(0, 20),
    extra: [...seen.keys()].filter((seq) => seq < first || seq > last).slice(0, 20),
    count: seqs.length,
  };
}

/**
 * The exactly-once check of one device: its journal started on new storage, so the
 * first record declares every seq below it lost ('state_lost'); from there the ledger
 * holds every seq through committedSeq, each once and in order, and its tap records are
 * the validator's 'tap' log lines, seq for seq.
 */
export function assertExactlyOnce(device: string, records: readonly JournalRecord[], committedSeq: number, validator: ValidatorProcess): void {
  const seqs = records.map((record) => record.seq);
  const start = records[0];
  assert.ok(start?.kind === 'loss' && start.from === 1 && start.to === start.seq - 1 && start.reason === 'state_lost', `${device}: the first record declares the seqs below it lost`);
  const first = start.seq;
  const count = committedSeq - first + 1;
  assert.deepEqual(seqProblems(seqs, first, committedSeq), { missing: [], repeated: [], extra: [], count }, `${device}: the ledger holds exactly seqs ${first}..${committedSeq}, each once`);
  assert.ok(seqs.every((seq, i) => seq === first + i), `${device}: records come in seq order`);
  assert.ok(records.every((record) => record.device === device), `${device}: every record is the device's own`);
  const taps = records.filter((record) => record.kind === 'tap');
  const logged = validator.taps();
  assert.equal(taps.length, logged.length, `${device}: one tap record per 'tap' log line`);
  const cleared = taps.map((tap) => `${tap.seq} ${tap.decision} ${tap.ticketId === undefined ? '-' : hashPrefix(tap.ticketId)}`);
  const decided = logged.map((line) => `${String(line.seq)} ${String(line.decision)} ${line.ticketId === undefined ? '-' : String(line.ticketId)}`);
  const firstDifference = cleared.findIndex((text, i) => text !== decided[i]);
  assert.equal(firstDifference, -1, `${device}: the taps cleared are the taps the gate decided; first difference: ledger "${cleared[firstDifference]}", log "${decided[firstDifference]}"`);
}

/** Runs `npm run gateway -- <args>` and returns its stdout. */
export async function npmGateway(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['run', '--silent', 'gateway', '--', ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm run gateway -- ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** `npm run gateway -- device add ...`: the credentials it prints. */
export async function addDevice(id: string, station: string, extra: string[]): Promise<{ device: string; username: string; password: string }> {
  const stdout = await npmGateway(['device', 'add', '--id', id, '--station', station, '--zone', '1', '--mode', 'metro', ...extra]);
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`device add printed no credentials: ${stdout}`);
  return JSON.parse(line) as { device: string; username: string; password: string };
}
