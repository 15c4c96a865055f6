/**
 * The MQTT protocol, public (build-api.ts registers these in the rate-limited public
 * context): the AsyncAPI 3.0 document a gate vendor builds from, and the same document
 * as a readable page. Both are built once from the code's schemas at start.
 */
import type { FastifyInstance } from 'fastify';
import { buildAsyncApiDocument } from '../../protocol/asyncapi/asyncapi-document.ts';
import { errorSchema } from './api-errors.ts';
import { renderAsyncApiPage } from './asyncapi-page.ts';

export async function asyncApiRoutes(app: FastifyInstance): Promise<void> {
  const json = JSON.stringify(buildAsyncApiDocument());
  const page = renderAsyncApiPage(JSON.parse(json) as Record<string, unknown>);

  app.get(
    '/asyncapi.json',
    {
      schema: {
        tags: ['protocol'],
        summary: 'The MQTT protocol between gates and the gateway as an AsyncAPI 3.0 document, with JSON Schemas of every payload',
        response: { 200: { description: 'AsyncAPI 3.0 document', content: { 'application/json': { schema: { type: 'object' } } } }, 429: errorSchema },
      },
    },
    async (_request, reply) => reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(json),
  );

  app.get(
    '/asyncapi',
    {
      schema: {
        tags: ['protocol'],
        summary: 'The MQTT protocol as a readable page: channels, messages and their fields',
        response: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, 429: errorSchema },
      },
    },
    async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('content-security-policy', page.csp).header('cache-control', 'no-cache').send(page.html),
  );
}
