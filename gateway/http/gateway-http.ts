/**
 * The API on a socket (conventions: fastify/demo's server.ts). The constructor
 * only stores its options; start() builds the app and listens; stop() closes it.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { PortInUseError } from '../broker/embedded-broker.ts';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { buildApi, type PublicRateLimit } from './build-api.ts';

export interface GatewayHttpOptions {
  host: string;
  /** 0: any free port (read it back from `port`). */
  port: number;
  rateLimit?: PublicRateLimit;
}

export class GatewayHttp {
  private app: FastifyInstance | undefined;

  constructor(
    private readonly options: GatewayHttpOptions,
    private readonly ctx: GatewayApiContext,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.app) throw new Error('HTTP API already started');
    const { host, port, rateLimit } = this.options;
    const app = await buildApi(this.ctx, { logger: this.logger, ...(rateLimit && { rateLimit }) });
    try {
      await app.listen({ host, port });
    } catch (error) {
      await app.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new PortInUseError(`HTTP port ${port} on ${host} is already in use; choose another with --http-port, or 0 for any free port`);
      }
      throw error;
    }
    this.app = app;
    this.logger.info({ host, port: this.port }, 'HTTP API listening');
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    await app?.close();
  }

  /** The port listened on (the real one when configured 0); 0 before start(). */
  get port(): number {
    const address = this.app?.server.address();
    return address !== null && typeof address === 'object' ? address.port : 0;
  }
}
