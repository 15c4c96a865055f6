/**
 * Builds the gateway's HTTP app without listening (conventions: fastify/demo's
 * app.ts — tests use app.inject(), gateway-http.ts listens).
 *
 * Two contexts:
 *  - public (rate-limited per IP): /healthz, /metrics, /docs, /asyncapi(.json), the dashboard page
 *    and the QR images of tickets, which check their own credential (ticket-qr-routes.ts);
 *  - operator (/api, Bearer token, not rate-limited: the token is the control,
 *    and clearing tools page through taps at full speed). Every route there
 *    declares the token scope it needs (api-scopes.ts).
 */
import { Ajv, type Options as AjvOptions } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { isoTimeProblem } from '../../runtime/iso-time.ts';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { requireOperator } from './api-auth.ts';
import { API_SCOPES, enforceRouteScopes } from './api-scopes.ts';
import { asyncApiRoutes } from './asyncapi-routes.ts';
import { formatSchemaErrors, installErrorHandlers } from './api-errors.ts';
import { clearingRoutes } from './clearing-routes.ts';
import { clockRoutes } from './clock-routes.ts';
import { denyRoutes } from './deny-routes.ts';
import { deviceRoutes } from './device-routes.ts';
import { publicRoutes } from './public-routes.ts';
import { rootKeyRoute } from './root-key-route.ts';
import { integrityRoutes } from './integrity-routes.ts';
import { tapRoutes } from './tap-routes.ts';
import { tokenRoutes } from './token-routes.ts';
import { ticketQrRoutes } from './ticket-qr-routes.ts';
import { ticketRoutes } from './ticket-routes.ts';

export interface PublicRateLimit {
  /** Requests per window per client IP. */
  max: number;
  timeWindowMs: number;
}

export interface ApiOptions {
  /** pino logger (or any fastify-compatible one); none: no logging. */
  logger?: FastifyBaseLogger;
  rateLimit?: PublicRateLimit;
}

export const DEFAULT_PUBLIC_RATE_LIMIT: PublicRateLimit = { max: 300, timeWindowMs: 60_000 };

/**
 * allErrors lets a 400 name every bad field; its known cost (ajv keeps checking
 * after the first error) is bounded by the body limit and maxItems/maxLength.
 */
const BODY_LIMIT_BYTES = 64 * 1024;

// ajv-formats is CommonJS with a default export: NodeNext types the import as the module object.
const addFormats = formatsPlugin as unknown as (ajv: Ajv) => Ajv;

/** ajv-formats, with date-time replaced by the parser the CLIs use (runtime/iso-time.ts). */
function withFormats(ajv: Ajv): Ajv {
  return addFormats(ajv).addFormat('date-time', { type: 'string', validate: (text: string) => isoTimeProblem(text) === undefined });
}

/**
 * Bodies are JSON and keep their types ("5" is not a zone); query strings and
 * params are text and are coerced. Unknown fields are refused, not dropped, so
 * a misspelt "untill" is an error. verbose: errors carry their schema, whose
 * description phrases pattern errors (api-errors.ts).
 */
function validators(): { body: Ajv; text: Ajv } {
  const common: AjvOptions = { allErrors: true, verbose: true, useDefaults: true, removeAdditional: false };
  return { body: withFormats(new Ajv({ ...common, coerceTypes: false })), text: withFormats(new Ajv({ ...common, coerceTypes: 'array' })) };
}

export async function buildApi(ctx: GatewayApiContext, options: ApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Request logs would carry URLs with ticket ids; onResponse below logs the route pattern instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    schemaErrorFormatter: formatSchemaErrors,
  });
  const ajv = validators();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? ajv.body : ajv.text).compile(schema));
  installErrorHandlers(app);
  app.decorateRequest('operator', null);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http request');
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Faregate gateway API', version: '1', description: 'Operator API of a Faregate gateway: gates, taps, deny list, tickets, fare clearing (settlement, journeys, flags).' },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: `An operator API token (npm run gateway -- token create --name NAME --scope SCOPES) with scopes ${API_SCOPES.join(', ')} (admin holds all); each operation names the scope it needs, and a token without it gets 403`,
          },
        },
      },
    },
  });

  const limit = options.rateLimit ?? DEFAULT_PUBLIC_RATE_LIMIT;
  await app.register(async (publicApp) => {
    // Registered in this context only, so its onRoute hook limits these routes and not /api.
    await publicApp.register(rateLimit, { global: true, max: limit.max, timeWindow: limit.timeWindowMs });
    await publicApp.register(swaggerUi, { routePrefix: '/docs' });
    await publicRoutes(publicApp, ctx);
    await asyncApiRoutes(publicApp);
    await ticketQrRoutes(publicApp, ctx);
    await rootKeyRoute(publicApp, ctx);
  });

  await app.register(
    async (operatorApp) => {
      operatorApp.addHook('onRequest', requireOperator(ctx.ledger, ctx.tokenCreateCommand));
      enforceRouteScopes(operatorApp);
      await deviceRoutes(operatorApp, ctx);
      await tapRoutes(operatorApp, ctx);
      await integrityRoutes(operatorApp, ctx);
      await denyRoutes(operatorApp, ctx);
      await clockRoutes(operatorApp, ctx);
      await ticketRoutes(operatorApp, ctx);
      await clearingRoutes(operatorApp, ctx);
      await tokenRoutes(operatorApp, ctx);
    },
    { prefix: '/api' },
  );
  return app;
}
