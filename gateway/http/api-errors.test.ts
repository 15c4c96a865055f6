import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

interface ErrorReply {
  error: string;
  message?: string;
}

describe('API errors', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  it('names every bad field of a body in one 400', async () => {
    const response = await h.operator({
      method: 'POST',
      url: '/api/tickets',
      payload: { product: 'weekly', class: 'vip', zones: [1, -2], modes: ['boat'], from: 'tomorrow', untill: '2026-01-02T00:00:00Z' },
    });
    assert.equal(response.statusCode, 400);
    const { error, message } = response.json<ErrorReply>();
    assert.equal(error, 'Bad Request');
    for (const expected of [
      'body/product must be one of single, day, period, account',
      'body/class must be one of adult, child, senior, concession',
      'body/zones/1 must be >= 0',
      'body/modes/0 must be one of metro, bus, tram, rail',
      'body/from must be an ISO 8601 time',
      'body/until is required',
      'body/untill is not allowed',
    ]) {
      assert.ok(message?.includes(expected), `"${expected}" missing from: ${message}`);
    }
  });

  it('refuses an impossible date and a time without a zone, naming the field and why', async () => {
    const response = await h.operator({
      method: 'POST',
      url: '/api/tickets',
      payload: { product: 'day', from: '2026-02-30T00:00:00Z', until: '2026-03-02T08:00:00' },
    });
    assert.equal(response.statusCode, 400);
    const { message } = response.json<ErrorReply>();
    assert.match(message ?? '', /body\/from must be an ISO 8601 time with a zone[^;]*: there is no day 30 in 2026-02/);
    assert.match(message ?? '', /body\/until must be an ISO 8601 time with a zone[^;]*: the time has no zone/);
    const query = await h.operator({ method: 'GET', url: '/api/taps?from=2026-04-31T00:00:00Z' });
    assert.equal(query.statusCode, 400);
    assert.match(query.json<ErrorReply>().message ?? '', /query\/from must be an ISO 8601 time with a zone[^;]*: there is no day 31 in 2026-04/);
  });

  it('keeps body types strict (no "5" for a number) while coercing query strings', async () => {
    const body = await h.operator({ method: 'POST', url: '/api/devices', payload: { id: 'gate-1', station: 'central', zone: '5', mode: 'metro', direction: 'entry' } });
    assert.equal(body.statusCode, 400);
    assert.equal(body.json<ErrorReply>().message, 'body/zone must be an integer');
    const query = await h.operator({ url: '/api/taps?limit=5' });
    assert.equal(query.statusCode, 200);
  });

  it('names every bad query parameter, and refuses unknown ones', async () => {
    const response = await h.operator({ url: '/api/taps?limit=20000&from=yesterday&kind=ride&ticketId=xyz&colour=red' });
    assert.equal(response.statusCode, 400);
    const message = response.json<ErrorReply>().message ?? '';
    for (const field of ['query/limit must be <= 10000', 'query/from', 'query/kind', 'query/ticketId must be 16 to 32 hex digits', 'query/colour is not allowed']) {
      assert.ok(message.includes(field), `"${field}" missing from: ${message}`);
    }
  });

  it('explains a pattern in words, not as a regular expression', async () => {
    const response = await h.operator({ method: 'POST', url: '/api/devices', payload: { id: 'gate/1', station: 'x', zone: 1, mode: 'bus', direction: 'entry' } });
    assert.equal(response.json<ErrorReply>().message, 'body/id must be 1 to 64 of A-Z a-z 0-9 _ . -, starting with a letter or digit');
  });

  it('answers a malformed JSON body with 400', async () => {
    const response = await h.operator({ method: 'POST', url: '/api/deny', headers: { 'content-type': 'application/json' }, payload: '{"ticketId":' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json<ErrorReply>().error, 'Bad Request');
  });

  it('hides the details of a 5xx from the caller and logs them', async () => {
    h.health.fail = new Error('ledger password is hunter2');
    try {
      const response = await h.app.inject({ url: '/healthz' });
      assert.equal(response.statusCode, 500);
      assert.deepEqual(response.json(), { error: 'Internal Server Error' });
      assert.ok(!response.body.includes('hunter2'));
      const logged = h.logs.find((line) => line.msg === 'request failed');
      assert.ok(logged, 'the error is logged');
      assert.equal((logged.err as { message: string }).message, 'ledger password is hunter2');
      assert.equal(logged.route, '/healthz');
    } finally {
      delete h.health.fail;
    }
  });

  it('answers an unknown route with a JSON 404 that does not echo the query', async () => {
    const response = await h.app.inject({ url: '/api/nothing?ticketId=00112233445566778899aabb' });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { error: 'Not Found', message: 'no route GET /api/nothing' });
  });

  it('sends nosniff and no-referrer on every answer', async () => {
    const response = await h.app.inject({ url: '/healthz' });
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
  });
});
