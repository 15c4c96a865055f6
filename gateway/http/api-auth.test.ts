import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashSecret } from '../fleet/device-credentials.ts';
import { API_TOKEN_PREFIX, bootstrapApiToken, createApiToken } from './api-auth.ts';
import { apiHarness, TOKEN_CREATE_COMMAND, type ApiHarness } from './api-test-fixture.ts';

describe('operator authentication', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  const operatorRoutes = [
    { method: 'GET', url: '/api/devices' },
    { method: 'GET', url: '/api/devices/gate-1' },
    { method: 'POST', url: '/api/devices', payload: {} },
    { method: 'POST', url: '/api/devices/gate-1/commands', payload: {} },
    { method: 'GET', url: '/api/taps' },
    { method: 'GET', url: '/api/gaps' },
    { method: 'POST', url: '/api/deny', payload: {} },
    { method: 'POST', url: '/api/tickets', payload: {} },
    { method: 'POST', url: '/api/enrolments', payload: {} },
    { method: 'GET', url: '/api/tickets/00112233445566778899aabb' },
  ] as const;

  it('answers 401 with a clear message on every operator route when the token is missing', async () => {
    for (const route of operatorRoutes) {
      const response = await h.app.inject(route);
      assert.equal(response.statusCode, 401, `${route.method} ${route.url}`);
      assert.match(response.json<{ message: string }>().message, /Authorization: Bearer <token>/);
      assert.ok(response.json<{ message: string }>().message.includes(`create one with \`${TOKEN_CREATE_COMMAND}\``), 'names the command for this gateway');
      assert.match(String(response.headers['www-authenticate']), /^Bearer/);
    }
  });

  it('answers 401 for an unknown token and for a header that is not Bearer', async () => {
    const wrong = await h.app.inject({ url: '/api/devices', headers: { authorization: `Bearer ${API_TOKEN_PREFIX}nope` } });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.json<{ message: string }>().message, /unknown or revoked API token/);
    assert.ok(wrong.json<{ message: string }>().message.includes(TOKEN_CREATE_COMMAND));
    const basic = await h.app.inject({ url: '/api/devices', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(basic.statusCode, 401);
    assert.match(basic.json<{ message: string }>().message, /must be "Bearer <token>"/);
  });

  it('checks authentication before validating the body, so strangers learn nothing about the schema', async () => {
    const response = await h.app.inject({ method: 'POST', url: '/api/tickets', payload: { product: 'nonsense' } });
    assert.equal(response.statusCode, 401);
  });

  it('accepts a valid token, with any case of "Bearer"', async () => {
    const response = await h.app.inject({ url: '/api/devices', headers: { authorization: `bearer ${h.token}` } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { devices: [] });
  });

  it('stops accepting a token as soon as it is deleted from the ledger', async () => {
    const token = await createApiToken(h.ledger, 'short-lived', ['read']);
    const stored = await h.ledger.findApiTokenByHash(hashSecret(token));
    assert.ok(stored);
    assert.equal((await h.app.inject({ url: '/api/gaps', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
    await h.ledger.deleteApiToken(stored.id);
    assert.equal((await h.app.inject({ url: '/api/gaps', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
  });

  it('keeps only the hash of a token in the ledger', async () => {
    const token = await createApiToken(h.ledger, 'ci', ['read']);
    assert.ok(token.startsWith(API_TOKEN_PREFIX));
    assert.ok(token.length >= API_TOKEN_PREFIX.length + 43, 'a 256-bit secret');
    const tokens = await h.ledger.listApiTokens();
    const ci = tokens.find((t) => t.name === 'ci');
    assert.equal(ci?.tokenHash, hashSecret(token));
    assert.ok(!JSON.stringify(tokens).includes(token.slice(API_TOKEN_PREFIX.length)));
  });

  it('serves the public endpoints without a token', async () => {
    for (const url of ['/healthz', '/metrics', '/', '/docs/json', '/asyncapi.json', '/asyncapi']) {
      assert.equal((await h.app.inject({ url })).statusCode, 200, url);
    }
  });
});

describe('first-start token bootstrap', () => {
  it('creates an admin token only when the ledger has none', async () => {
    const h = await apiHarness();
    try {
      // The harness made one token; drop it to get a fresh ledger.
      for (const token of await h.ledger.listApiTokens()) await h.ledger.deleteApiToken(token.id);
      const first = await bootstrapApiToken(h.ledger);
      assert.ok(first?.startsWith(API_TOKEN_PREFIX));
      assert.deepEqual((await h.ledger.listApiTokens()).map((t) => t.name), ['admin']);
      assert.equal(await bootstrapApiToken(h.ledger), undefined);
      const response = await h.app.inject({ url: '/api/devices', headers: { authorization: `Bearer ${first}` } });
      assert.equal(response.statusCode, 200);
    } finally {
      await h.close();
    }
  });
});
