/**
 * Adds the HTTP API to a gateway service as its last part, so it starts once the
 * ledger, broker and fleet are up and stops first.
 */
import type { Logger } from 'pino';
import type { GatewayWhereabouts } from '../http/token-hint.ts';
import type { GatewayService } from './gateway-service.ts';

export interface HttpHandle {
  readonly port: number;
}

export async function attachHttp(service: GatewayService, logger: Logger, startedWith: GatewayWhereabouts = {}): Promise<HttpHandle> {
  const { GatewayHttp } = await import('../http/gateway-http.ts');
  let http: InstanceType<typeof GatewayHttp> | undefined;
  service.addPart({
    name: 'http',
    start: async () => {
      http = new GatewayHttp(service.config.http, service.apiContext(startedWith), logger.child({ module: 'http' }));
      await http.start();
    },
    stop: async () => http?.stop(),
  });
  return {
    get port() {
      return http?.port ?? 0;
    },
  };
}
