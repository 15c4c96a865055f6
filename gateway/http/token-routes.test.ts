import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

describe('API token routes', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  it('creates a token with its scopes (secret shown once), lists it without the secret, and revokes it at once', async () => {
    const created = await h.operator({ method: 'POST', url: '/api/tokens', payload: { name: 'clearing tool', scopes: ['read'] } });
    assert.equal(created.statusCode, 201);
    const body = created.json<{ id: string; token: string; scopes: string[]; name: string }>();
    assert.deepEqual(body.scopes, ['read']);
    const auth = { authorization: `Bearer ${body.token}` };
    assert.equal((await h.app.inject({ url: '/api/taps', headers: auth })).statusCode, 200);
    assert.equal((await h.app.inject({ url: '/api/tokens', headers: auth })).statusCode, 403, 'a read token cannot list tokens');

    const listed = await h.operator({ url: '/api/tokens' });
    assert.equal(listed.statusCode, 200);
    const entry = listed.json<{ tokens: Array<Record<string, unknown>> }>().tokens.find((t) => t.id === body.id);
    assert.deepEqual(Object.keys(entry ?? {}).sort(), ['createdAt', 'id', 'name', 'scopes']);
    assert.ok(!listed.body.includes(body.token.slice(4)), 'no secret in the list');

    assert.deepEqual((await h.operator({ method: 'DELETE', url: `/api/tokens/${body.id}` })).json(), { revoked: body.id });
    assert.equal((await h.app.inject({ url: '/api/taps', headers: auth })).statusCode, 401);
    assert.equal((await h.operator({ method: 'DELETE', url: `/api/tokens/${body.id}` })).statusCode, 404);
  });

  it('refuses unknown scopes, an empty list and a missing name with 400 naming the field', async () => {
    const unknown = await h.operator({ method: 'POST', url: '/api/tokens', payload: { name: 'x', scopes: ['read', 'root'] } });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json<{ message: string }>().message, /body\/scopes\/1/);
    assert.equal((await h.operator({ method: 'POST', url: '/api/tokens', payload: { name: 'x', scopes: [] } })).statusCode, 400);
    assert.match((await h.operator({ method: 'POST', url: '/api/tokens', payload: { scopes: ['read'] } })).json<{ message: string }>().message, /name/);
  });
});
