/**
 * What anyone may ask (rate-limited by the public context in build-api.ts): the
 * health check for load balancers and systemd, Prometheus metrics, and the
 * dashboard page — which holds no data itself; it asks the operator for a
 * token and reads everything through the authenticated API.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { errorSchema } from './api-errors.ts';

const healthReply = {
  type: 'object',
  required: ['ok'],
  // keysDir is left out on purpose: a public endpoint has no business showing file paths.
  properties: {
    ok: { type: 'boolean' },
    ledger: { type: 'string' },
    broker: {
      type: 'object',
      properties: { mode: { type: 'string' }, url: { type: 'string' }, connected: { type: 'boolean' } },
    },
  },
} as const;

interface Dashboard {
  html: string;
  /** A CSP that allows exactly the page's inline script and style, by hash, and nothing from elsewhere. */
  csp: string;
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** The page, with the login hint naming the exact `token create` command for this gateway. */
export function loadDashboard(tokenCreateCommand: string): Dashboard {
  const template = readFileSync(new URL('./dashboard.html', import.meta.url), 'utf8');
  const html = template.replace('{{tokenCreateCommand}}', () => escapeHtml(tokenCreateCommand));
  const inline = (tag: string): string[] => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => sha256(m[1] ?? ''));
  const csp = [
    "default-src 'none'",
    `script-src ${inline('script').join(' ')}`,
    `style-src ${inline('style').join(' ')}`,
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

export async function publicRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['service'],
        summary: 'Health: 200 when the gateway is connected to its broker, else 503',
        response: { 200: healthReply, 503: healthReply, 429: errorSchema },
      },
    },
    async (_request, reply) => {
      const health = ctx.health();
      return reply.code(health.ok ? 200 : 503).send(health);
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['service'],
        summary: 'Prometheus metrics (text exposition format)',
        response: { 200: { description: 'Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } }, 429: errorSchema },
      },
    },
    async (_request, reply) => reply.type(ctx.registry.contentType).send(await ctx.registry.metrics()),
  );

  const dashboard = loadDashboard(ctx.tokenCreateCommand);
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', dashboard.csp).header('cache-control', 'no-cache').send(dashboard.html),
  );
}
