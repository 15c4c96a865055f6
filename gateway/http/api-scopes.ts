/**
 * What an API token may do. Every /api route declares the one scope it needs
 * (`config: { scope }`); `enforceRouteScopes` refuses to build an app with a
 * route that declares none, so a new route cannot be open to every token by
 * omission. `admin` holds every scope.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { errorSchema, type ErrorBody } from './api-errors.ts';

export const API_SCOPES = ['read', 'issue', 'deny', 'command', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** For the CLI's help, the README and the OpenAPI text. */
export const SCOPE_MEANINGS: Record<ApiScope, string> = {
  read: 'read gates, taps, gaps, losses, conflicts, tickets, clock, clearing results',
  issue: 'issue tickets and enrolments',
  deny: 'add tickets to the deny list',
  command: 'send gates signed commands (emergency-open, …) and reset the fleet clock',
  admin: 'everything, and register gates and manage API tokens',
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a token needs for this route (api-scopes.ts). */
    scope?: ApiScope;
  }
}

export class ScopeError extends Error {}

export function isApiScope(text: string): text is ApiScope {
  return (API_SCOPES as readonly string[]).includes(text);
}

export function hasScope(held: readonly string[], needed: ApiScope): boolean {
  return held.includes('admin') || held.includes(needed);
}

/** Scopes from a list (`read,deny`), deduplicated in API_SCOPES order; throws ScopeError naming unknown ones. */
export function parseScopes(items: readonly string[]): ApiScope[] {
  const wanted = items.flatMap((item) => item.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  const unknown = wanted.filter((s) => !isApiScope(s));
  if (unknown.length > 0) throw new ScopeError(`unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; scopes are ${API_SCOPES.join(', ')}`);
  if (wanted.length === 0) throw new ScopeError(`no scope given; scopes are ${API_SCOPES.join(', ')}`);
  return API_SCOPES.filter((scope) => wanted.includes(scope));
}

function forbidden(reply: FastifyReply, needed: ApiScope, held: readonly string[]): FastifyReply {
  const message = `this endpoint needs an API token with the "${needed}" scope (or admin); this token has ${held.join(', ') || 'none'}`;
  return reply.code(403).send({ error: 'Forbidden', message } satisfies ErrorBody);
}

function scopeCheck(needed: ApiScope): onRequestHookHandler {
  // Runs after requireOperator (a context hook runs before a route's own), so request.operator is set.
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const held = request.operator?.scopes ?? [];
    if (!hasScope(held, needed)) return forbidden(reply, needed, held);
    return undefined;
  };
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * Call in the operator context before registering its routes: each route must
 * declare `config.scope` (else the app fails to build, naming the route), gets
 * the check as its own onRequest hook, and its OpenAPI text names the scope and
 * the 403.
 */
export function enforceRouteScopes(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const scope = route.config?.scope;
    if (scope === undefined || !isApiScope(scope)) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no API token scope (config: { scope: ${API_SCOPES.join(' | ')} })`);
    }
    route.onRequest = [...asList(route.onRequest), scopeCheck(scope)];
    const schema = route.schema;
    if (schema === undefined) return;
    const note = `Needs an API token with the \`${scope}\` scope (or admin).`;
    if (typeof schema.description !== 'string' || !schema.description.includes(note)) {
      schema.description = typeof schema.description === 'string' ? `${schema.description}\n\n${note}` : note;
    }
    const response = schema.response as Record<string, unknown> | undefined;
    if (response !== undefined && response['403'] === undefined) response['403'] = errorSchema;
  });
}
