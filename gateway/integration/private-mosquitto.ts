/**
 * A private Mosquitto for acceptance tests (tests only; needs the `mosquitto` binary):
 * on a free loopback port, without persistence, with the password and ACL files the
 * gateway writes. It can be killed and started again on the same port, which is a
 * broker restart that loses every retained message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { MOSQUITTO_FILES } from '../mosquitto/mosquitto-files.ts';
import { freePort, waitUntil } from './gateway-harness.ts';

/** Whether something accepts TCP connections on the port. */
export const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

export class PrivateMosquitto {
  log = '';
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private port = 0;
  private conf = '';

  /** `filesDir` holds the gateway-written `passwd` and `acl`; the config goes into `dir`. */
  constructor(
    private readonly dir: string,
    private readonly filesDir: string,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Picks the free port once; call before writing anything that names the URL. */
  async reservePort(): Promise<string> {
    this.port = await freePort();
    return this.url;
  }

  async start(): Promise<void> {
    if (this.port === 0) await this.reservePort();
    this.conf = join(this.dir, 'mosquitto.conf');
    const lines = ['user root', 'persistence false', `listener ${this.port} 127.0.0.1`, 'allow_anonymous false'];
    lines.push(`password_file ${join(this.filesDir, MOSQUITTO_FILES.passwords)}`, `acl_file ${join(this.filesDir, MOSQUITTO_FILES.acl)}`);
    lines.push('log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information', '');
    await writeFile(this.conf, lines.join('\n'));
    const child = spawn('mosquitto', ['-c', this.conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await waitUntil('the private mosquitto listens', async () => child.exitCode !== null || (await listening(this.port)), { timeoutMs: 15_000, detail: () => this.log });
    if (child.exitCode !== null) throw new Error(`mosquitto exited: ${this.log}`);
  }

  /** SIGKILL: nothing is saved, every connection drops. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await this.exited;
  }
}
