/**
 * What the validator's acceptance tests share (tests only): a keys directory with
 * tickets, a config file, the real validator process with its JSON log parsed line by
 * line, and polling helpers. The validator runs exactly as on a gate:
 * `node --import tsx validator/cli.ts run --config FILE`, simulated hardware on stdin.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueTicket, type IssuedTicket } from '../../keys/issue-ticket.ts';
import { initKeys } from '../../keys/keyring.ts';
import { KEYS_FILES, readIssuerSigningKey, readKeyring, readRootSigningKey } from '../../keys/keys-dir.ts';
import type { SigningKey } from '../../protocol/ticket/ed25519.ts';
import type { HealthReport } from '../service/local-http.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEVICE = 'gate-it-1';
export const DEVICE_PASSWORD = 'device-secret';
export const SERVICE_USER = 'test-gateway';
export const SERVICE_PASSWORD = 'service-secret';

export async function makeTempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `faregate-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds; fails with `what` (and the last detail) after `timeoutMs`. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 20_000, intervalMs = 50, detail }: { timeoutMs?: number; intervalMs?: number; detail?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}${detail ? `: ${detail()}` : ''}`);
    await sleep(intervalMs);
  }
}

/** A fresh keys directory (root, one issuer, trust list v1, deny list v1) and a ticket maker. */
export class TestKeys {
  private constructor(
    readonly dir: string,
    readonly root: SigningKey,
    private readonly issuer: SigningKey,
  ) {}

  static create(dir: string): TestKeys {
    initKeys(dir, {});
    return TestKeys.fromDir(dir);
  }

  /** An existing keys directory, e.g. the one a gateway made in its data directory. */
  static fromDir(dir: string): TestKeys {
    return new TestKeys(dir, readRootSigningKey(dir), readIssuerSigningKey(dir, readKeyring(dir).signingKid));
  }

  get rootPublicKeyFile(): string {
    return join(this.dir, KEYS_FILES.rootPublic);
  }

  get seedBundles(): { trustList: string; denyList: string } {
    return { trustList: join(this.dir, KEYS_FILES.trustList), denyList: join(this.dir, KEYS_FILES.denyList) };
  }

  /** A valid day ticket (no zone or mode limits), distinct every call. */
  ticket(): IssuedTicket {
    const now = Math.floor(Date.now() / 1000);
    return issueTicket({ product: 'day', validFrom: now - 3600, validUntil: now + 86_400 }, this.issuer, now);
  }
}

export interface ConfigOptions {
  stateDir: string;
  keys: TestKeys;
  mqttUrl?: string;
  logLevel?: 'info' | 'debug';
  commitIntervalMs?: number;
  /** How long an accepted rider has to pass (default here 300 ms: 'not-used' records come quickly). */
  passageTimeoutMs?: number;
}

/** Writes a config for the simulated gate `DEVICE`; health on any free port. */
export async function writeConfig(file: string, options: ConfigOptions): Promise<string> {
  const config = {
    device: DEVICE,
    station: 'IT-CENTRAL',
    zone: 1,
    mode: 'metro',
    stateDir: options.stateDir,
    rootPublicKeyFile: options.keys.rootPublicKeyFile,
    seedBundles: options.keys.seedBundles,
    hardware: 'simulated',
    gate: { passageTimeoutMs: options.passageTimeoutMs ?? 300 },
    journal: { commitIntervalMs: options.commitIntervalMs ?? 5 },
    http: { port: 0 },
    logLevel: options.logLevel ?? 'info',
    ...(options.mqttUrl !== undefined && {
      mqtt: {
        url: options.mqttUrl,
        username: DEVICE,
        password: DEVICE_PASSWORD,
        reconnectMinMs: 100,
        reconnectMaxMs: 500,
        ackTimeoutMs: 2000,
        batchMaxRecords: 50,
        stateIntervalMs: 1000,
      },
    }),
  };
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** One pino JSON line of the validator's stdout. */
export interface LogLine {
  level: number;
  /** Unix ms, taken when the line was logged. */
  time: number;
  msg: string;
  [field: string]: unknown;
}

/** The real validator process; its stdout parsed into `lines`, stdin fed with `feed()`. */
export class ValidatorProcess {
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';
  private healthBase: string | undefined;

  constructor(configFile: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'validator/cli.ts', 'run', '--config', configFile], { cwd: ROOT, stdio: 'pipe' });
    this.child.stdin.on('error', () => undefined); // EPIPE once the process is gone: expected
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk));
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Lines with this message, in order. */
  linesWith(msg: string): LogLine[] {
    return this.lines.filter((line) => line.msg === msg);
  }

  /** The 'tap' lines: one per code the gate decided on, logged after the journal append. */
  taps(): LogLine[] {
    return this.linesWith('tap');
  }

  /** Waits for 'validator running' and reads the health address from it. */
  async ready(timeoutMs = 30_000): Promise<void> {
    await waitUntil('the validator is running', () => this.linesWith('validator running').length > 0 || !this.running, {
      timeoutMs,
      detail: () => this.stderr,
    });
    const line = this.linesWith('validator running')[0];
    if (!line) throw new Error(`the validator did not start: ${this.stderr}`);
    this.healthBase = String(line.health);
  }

  async health(): Promise<HealthReport> {
    if (!this.healthBase) throw new Error('ready() first');
    const response = await fetch(this.healthBase);
    return (await response.json()) as HealthReport;
  }

  /** Writes lines to stdin: scanned codes, or #passage / #emergency on|off / #door-forced. */
  feed(lines: readonly string[]): void {
    if (lines.length > 0) this.child.stdin.write(`${lines.join('\n')}\n`);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. For after hooks. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return void (await this.exited);
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private onStdout(chunk: Buffer): void {
    this.buffered += chunk.toString();
    const lines = this.buffered.split('\n');
    this.buffered = lines.pop() ?? ''; // a line cut short (by a kill) is no line
    for (const text of lines) {
      if (text.trim() === '') continue;
      try {
        this.lines.push(JSON.parse(text) as LogLine);
      } catch {
        this.lines.push({ level: 0, time: 0, msg: `(not JSON) ${text}` });
      }
    }
  }
}

/** Waits until the validator logged `count` taps in all; returns the new ones after `before`. */
export async function tapsLogged(validator: ValidatorProcess, count: number, before = 0): Promise<LogLine[]> {
  await waitUntil(`the validator logged ${count} taps`, () => validator.taps().length >= count, {
    detail: () => `${validator.taps().length} logged; stderr: ${validator.stderr}`,
  });
  return validator.taps().slice(before);
}
