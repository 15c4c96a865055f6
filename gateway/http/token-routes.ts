/**
 * API tokens over the API (admin scope): list them with their scopes, create one
 * (its secret is in that answer only), revoke one. The same as `gateway token`.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiToken } from '../ledger/ledger.ts';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { newApiToken } from './api-auth.ts';
import { errorSchema, HttpError } from './api-errors.ts';
import { OPERATOR_SECURITY, operatorErrors } from './api-schemas.ts';
import { API_SCOPES, parseScopes, type ApiScope } from './api-scopes.ts';

interface CreateBody {
  name: string;
  scopes: ApiScope[];
}

const tokenView = {
  type: 'object',
  required: ['id', 'name', 'scopes', 'createdAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string', enum: API_SCOPES } },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'scopes'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    scopes: { type: 'array', minItems: 1, maxItems: API_SCOPES.length, uniqueItems: true, items: { type: 'string', enum: API_SCOPES } },
  },
} as const;

const created = { ...tokenView, required: [...tokenView.required, 'token'], properties: { ...tokenView.properties, token: { type: 'string', description: 'shown in this answer only' } } } as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

const view = (token: ApiToken) => ({ id: token.id, name: token.name, scopes: token.scopes, createdAt: new Date(token.createdAt).toISOString() });

/** Registered inside the operator (authenticated) context, under /api. */
export async function tokenRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  const tags = ['tokens'];
  app.get(
    '/tokens',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'Every API token with its scopes (never the secrets)', security: OPERATOR_SECURITY, response: { 200: { type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', items: tokenView } } }, 401: errorSchema } },
    },
    async () => ({ tokens: (await ctx.ledger.listApiTokens()).map(view) }),
  );

  app.post<{ Body: CreateBody }>(
    '/tokens',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'Create an API token with the given scopes; its secret is in this answer only', security: OPERATOR_SECURITY, body: createBody, response: { 201: created, ...operatorErrors } },
    },
    async (request, reply) => {
      const scopes = parseScopes(request.body.scopes);
      const { record, token } = await newApiToken(ctx.ledger, request.body.name, scopes);
      request.log.info({ token: record.id, name: record.name, scopes, operator: request.operator?.name }, 'api token created');
      return reply.code(201).send({ ...view(record), token });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/tokens/:id',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'Revoke an API token at once', security: OPERATOR_SECURITY, params: idParams, response: { 200: { type: 'object', required: ['revoked'], properties: { revoked: { type: 'string' } } }, 404: errorSchema, ...operatorErrors } },
    },
    async (request) => {
      if (!(await ctx.ledger.deleteApiToken(request.params.id))) throw new HttpError(404, `no API token ${request.params.id}`);
      request.log.info({ token: request.params.id, operator: request.operator?.name }, 'api token revoked');
      return { revoked: request.params.id };
    },
  );
}
