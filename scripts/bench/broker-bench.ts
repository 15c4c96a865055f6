/**
 * `npm run bench -- broker`: the embedded broker's memory under many connections
 * and under oversized pre-auth packets. Loopback only and bounded (1,000 connections
 * of each kind). The clients run in a child process, so the figures are the broker's
 * own (this process: broker only).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import mqtt from 'mqtt';
import pino from 'pino';
import { deviceClientId, EmbeddedBroker } from '../../gateway/broker/embedded-broker.ts';
import type { Principal } from '../../gateway/broker/topic-acl.ts';

const CONNECTIONS = 1000;
const PASSWORD = 'bench-password';
const MB = 1024 * 1024;

/** The broker's memory after a collection when `--expose-gc` is on (rss and heap, MB). */
function memory(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: rss / MB, heap: heapUsed / MB };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 500));

/** Child side: open the connections the parent asks for, report, and hold them until told. */
async function runClients(kind: string, port: number): Promise<void> {
  const held: Array<Socket | mqtt.MqttClient> = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    if (kind === 'idle') {
      held.push(await new Promise<Socket>((resolve) => { const socket = connect(port, '127.0.0.1', () => resolve(socket)); socket.on('error', () => undefined); }));
    } else {
      held.push(await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: `bench-${i}`, password: PASSWORD, clientId: deviceClientId(`bench-${i}`), reconnectPeriod: 0, keepalive: 600 }));
    }
  }
  process.send?.('ready');
  process.once('message', () => process.exit(0));
}

async function measureConnections(broker: EmbeddedBroker, kind: 'idle' | 'authenticated'): Promise<void> {
  await settle();
  const before = memory();
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ['clients', kind, String(broker.port)], { execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`client process exited ${code}`)));
  });
  await settle();
  const after = memory();
  console.log(`${CONNECTIONS} ${kind} connections: rss +${(after.rss - before.rss).toFixed(1)} MB, heap +${(after.heap - before.heap).toFixed(1)} MB (${(((after.heap - before.heap) * MB) / CONNECTIONS / 1024).toFixed(1)} KB heap each)`);
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('done');
  await exited;
}

/** Four sockets declare the largest MQTT packet (256 MB) and stream data until the broker closes them. */
async function measureOversized(port: number): Promise<void> {
  await settle();
  const before = memory();
  const sent = await Promise.all(
    [1, 2, 3, 4].map(
      () =>
        new Promise<number>((resolve) => {
          let written = 0;
          const socket = connect(port, '127.0.0.1', () => {
            socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
            const chunk = Buffer.alloc(64 * 1024);
            const pump = (): void => {
              while (!socket.destroyed && written < 256 * MB && socket.write(chunk)) written += chunk.length;
            };
            socket.on('drain', pump);
            pump();
          });
          socket.on('error', () => undefined);
          socket.on('close', () => resolve(written));
        }),
    ),
  );
  const after = memory();
  console.log(`4 sockets declaring 256 MB before CONNECT: closed after the client wrote ${(Math.max(...sent) / 1024).toFixed(0)} KB at most; broker rss +${(after.rss - before.rss).toFixed(1)} MB, heap +${(after.heap - before.heap).toFixed(1)} MB`);
}

export async function benchBroker(): Promise<void> {
  const principals = new Map<string, Principal>(Array.from({ length: CONNECTIONS }, (_, i) => [`bench-${i}`, { kind: 'device', device: `bench-${i}` }]));
  const credentials = { authenticate: async (username: string, password: string) => (password === PASSWORD ? principals.get(username) : undefined) };
  // All clients come from 127.0.0.1: the per-address rate limit is lifted for the bench, every other limit is the default.
  const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, limits: { connectionsPerAddress: 10 * CONNECTIONS, connectTimeoutMs: 120_000 } }, credentials, pino({ level: 'error' }));
  await broker.start();
  try {
    console.log(`(gc ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'forced before each reading' : 'not exposed: run with NODE_OPTIONS=--expose-gc for steadier figures'})`);
    await measureOversized(broker.port);
    await measureConnections(broker, 'idle');
    await measureConnections(broker, 'authenticated');
  } finally {
    await broker.stop();
  }
}

if (process.argv[2] === 'clients') await runClients(process.argv[3]!, Number(process.argv[4]));
