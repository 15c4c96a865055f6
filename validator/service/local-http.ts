/**
 * The validator's local surface (fastify): `GET /healthz` for field engineers and
 * the watchdog, `GET /metrics` in Prometheus text format. Bound to loopback by default.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthReport {
  ready: boolean;
  device: string;
  gate: string;
  clock: { status: string; trusted: boolean; rollbackDetected: boolean };
  bundles: Record<string, number>;
  journal: {
    nextSeq: number;
    committedSeq: number;
    acknowledgedSeq: number;
    backlogRecords: number;
    backlogBytes: number;
    backlogAlarm: boolean;
    /** How long the oldest record has waited for its fdatasync, ms. */
    uncommittedMs: number;
    /** Why the journal keeps the gate out of service; null while healthy. */
    fault: string | null;
  };
  uplink: { configured: boolean; connected: boolean; lastBatchAt: string | null; lastAckAt: string | null; batchesSent: number };
}

/** `health()` also brings the gauges up to date, so /metrics calls it before it answers. */
export function buildLocalHttp(health: () => HealthReport, registry: Registry): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', async (_request, reply) => {
    const report = health();
    return reply.code(report.ready ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_request, reply) => {
    health();
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return app;
}

export class LocalHttp {
  private app: FastifyInstance | undefined;

  constructor(
    private readonly options: { host: string; port: number },
    private readonly health: () => HealthReport,
    private readonly registry: Registry,
  ) {}

  get port(): number {
    return (this.app?.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    this.app = buildLocalHttp(this.health, this.registry);
    try {
      await this.app.listen({ host: this.options.host, port: this.options.port });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(`health port ${this.options.port} on ${this.options.host} is already in use; set http.port (0 = any free port)`);
      }
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.app?.close();
  }
}
