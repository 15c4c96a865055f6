/**
 * The real validator process for acceptance tests (tests only), run exactly as on a
 * gate: `node --import tsx validator/cli.ts run --config FILE`, simulated hardware on
 * stdin, its JSON log parsed line by line.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HealthReport } from '../../validator/service/local-http.ts';
import { waitUntil } from './wait.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

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
  async ready(timeoutMs = 60_000): Promise<void> {
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

  /** The value of one Prometheus sample of the validator's /metrics (0 when absent), e.g. `name{label="x"}`. */
  async metric(sample: string): Promise<number> {
    if (!this.healthBase) throw new Error('ready() first');
    const text = await (await fetch(this.healthBase.replace(/\/healthz$/, '/metrics'))).text();
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
    return line === undefined ? 0 : Number(line.slice(sample.length + 1));
  }

  /** Feeds one code and waits for the gate's decision on it (its 'tap' line). */
  async decide(code: string): Promise<LogLine> {
    const before = this.taps().length;
    this.feed([code]);
    await waitUntil('the gate decided the code', () => this.taps().length > before, { detail: () => this.stderr });
    return this.taps()[before]!;
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
