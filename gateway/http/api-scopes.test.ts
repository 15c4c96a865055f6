import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { API_SCOPES, enforceRouteScopes, hasScope, parseScopes, type ApiScope } from './api-scopes.ts';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

interface DocumentedRoute {
  method: string;
  url: string;
  scope: ApiScope;
}

/** Every /api route the OpenAPI document shows with a bearer token, and the scope its text names. */
function documentedRoutes(spec: { paths: Record<string, Record<string, { description?: string; security?: unknown; responses?: Record<string, unknown> }>> }): DocumentedRoute[] {
  const routes: DocumentedRoute[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!path.startsWith('/api/') || operation.security === undefined) continue;
      const scope = /with the `(\w+)` scope/.exec(operation.description ?? '')?.[1];
      assert.ok(scope !== undefined && (API_SCOPES as readonly string[]).includes(scope), `${method} ${path} documents its scope`);
      assert.ok(operation.responses?.['403'], `${method} ${path} documents its 403`);
      routes.push({ method: method.toUpperCase(), url: path.replace(/\{[^}]+\}/g, '00112233445566778899aabb'), scope: scope as ApiScope });
    }
  }
  return routes;
}

describe('API token scopes', () => {
  let h: ApiHarness;
  let routes: DocumentedRoute[];
  before(async () => {
    h = await apiHarness();
    routes = documentedRoutes((await h.app.inject({ url: '/docs/json' })).json());
  });
  after(() => h.close());

  const as = (token: string, route: DocumentedRoute) =>
    h.app.inject({ method: route.method as 'GET', url: route.url, headers: { authorization: `Bearer ${token}` }, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }) });

  it('documents a scope for every operator route, including the dangerous ones', () => {
    const scopeOf = (method: string, url: string) => routes.find((r) => r.method === method && r.url === url)?.scope;
    assert.ok(routes.length >= 15, `found ${routes.length}`);
    assert.equal(scopeOf('POST', '/api/devices/00112233445566778899aabb/commands'), 'command');
    assert.equal(scopeOf('POST', '/api/clock/reset'), 'command');
    assert.equal(scopeOf('POST', '/api/tickets'), 'issue');
    assert.equal(scopeOf('POST', '/api/deny'), 'deny');
    assert.equal(scopeOf('POST', '/api/devices'), 'admin');
    assert.equal(scopeOf('GET', '/api/tokens'), 'admin');
    assert.equal(scopeOf('GET', '/api/taps'), 'read');
  });

  it('answers 403 naming the missing scope to a token without it, on every operator route', async () => {
    for (const scope of ['read', 'issue', 'deny', 'command'] as const) {
      const token = await h.tokenWith([scope]);
      for (const route of routes.filter((r) => r.scope !== scope)) {
        const response = await as(token, route);
        assert.equal(response.statusCode, 403, `${scope} token on ${route.method} ${route.url}`);
        assert.deepEqual(response.json(), {
          error: 'Forbidden',
          message: `this endpoint needs an API token with the "${route.scope}" scope (or admin); this token has ${scope}`,
        });
      }
    }
  });

  it('lets a token with the scope, or admin, through to the route', async () => {
    const admin = await h.tokenWith(['admin']);
    for (const route of routes) {
      const own = await as(await h.tokenWith([route.scope]), route);
      assert.notEqual(own.statusCode, 403, `${route.scope} token on ${route.method} ${route.url}`);
      assert.notEqual(own.statusCode, 401);
      assert.notEqual((await as(admin, route)).statusCode, 403, `admin on ${route.method} ${route.url}`);
    }
  });

  it('keeps a read-only token from issuing tickets or opening gates', async () => {
    const read = await h.tokenWith(['read']);
    const headers = { authorization: `Bearer ${read}` };
    const open = await h.app.inject({ method: 'POST', url: '/api/devices/gate-1/commands', headers, payload: { command: 'emergency-open' } });
    assert.equal(open.statusCode, 403);
    assert.match(open.json<{ message: string }>().message, /"command" scope/);
    const issue = await h.app.inject({ method: 'POST', url: '/api/tickets', headers, payload: { product: 'day', from: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z' } });
    assert.equal(issue.statusCode, 403);
    assert.equal(h.published.filter((p) => p.topic.includes('command')).length, 0);
  });

  it('refuses to build an operator context with a route that declares no scope, naming it', async () => {
    const app = Fastify();
    const build = async () => {
      await app.register(async (operatorApp) => {
        enforceRouteScopes(operatorApp);
        operatorApp.get('/forgotten', async () => ({}));
      }, { prefix: '/api' });
      await app.ready();
    };
    await assert.rejects(build(), /route GET \/api\/forgotten declares no API token scope/);
    await app.close().catch(() => undefined);
  });

  it('reads scope lists, holds every scope with admin, and names unknown scopes', () => {
    assert.deepEqual(parseScopes(['deny, read', 'read']), ['read', 'deny']);
    assert.throws(() => parseScopes(['read,write']), /unknown scope "write"/);
    assert.throws(() => parseScopes(['']), /no scope given/);
    assert.equal(hasScope(['admin'], 'command'), true);
    assert.equal(hasScope(['read', 'deny'], 'deny'), true);
    assert.equal(hasScope(['read', 'deny'], 'issue'), false);
  });
});
