import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openClockReset } from '../../protocol/bundles/clock-reset.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { readRootPublicKey } from '../../keys/keys-dir.ts';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

describe('clock routes', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  const reset = (payload: Record<string, unknown>) => h.operator({ method: 'POST', url: '/api/clock/reset', payload });

  it('shows the gateway time and no reset before the first one', async () => {
    const before = Date.now();
    const response = await h.operator({ url: '/api/clock' });
    assert.equal(response.statusCode, 200);
    const body = response.json<{ gatewayTime: string; lastReset: unknown }>();
    assert.ok(Date.parse(body.gatewayTime) >= before && Date.parse(body.gatewayTime) <= Date.now());
    assert.equal(body.lastReset, null);
  });

  it("publishes a signed, retained fleet-wide reset to the gateway's time, recorded in the ledger", async () => {
    const before = Date.now();
    const response = await reset({ reason: 'gateway clock was 400 days ahead for one interval' });
    assert.equal(response.statusCode, 200);
    const body = response.json<{ version: number; resetTo: string }>();
    const sent = h.published.filter((p) => p.topic === topics.clockReset()).at(-1);
    assert.ok(sent?.retain);
    const command = openClockReset(sent.payload, readRootPublicKey(h.keysDir));
    assert.equal(command.version, body.version);
    assert.equal(new Date(command.resetToMs).toISOString(), body.resetTo);
    assert.ok(command.resetToMs >= before && command.resetToMs <= Date.now());
    assert.equal(command.reason, 'gateway clock was 400 days ahead for one interval');
    assert.equal((await h.ledger.latestBundle('clock-reset'))?.version, body.version);
    assert.ok(h.logs.some((line) => line.msg === 'fleet clock reset sent' && line.version === body.version));
    const shown = (await h.operator({ url: '/api/clock' })).json<{ lastReset: unknown }>().lastReset;
    assert.deepEqual(shown, { version: body.version, resetTo: body.resetTo, reason: 'gateway clock was 400 days ahead for one interval' });
  });

  it('gives every reset a higher version, even two within one millisecond', async () => {
    const versions = [];
    for (let i = 0; i < 3; i += 1) versions.push((await reset({ reason: `reset ${i}` })).json<{ version: number }>().version);
    assert.ok(versions[0]! < versions[1]! && versions[1]! < versions[2]!, versions.join(' '));
  });

  it('refuses a reset without a reason, and an unknown field, naming them', async () => {
    const published = h.published.length;
    const missing = await reset({});
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json<{ message: string }>().message, /body\/reason is required/);
    const extra = await reset({ reason: 'x', resetTo: 0 });
    assert.equal(extra.statusCode, 400);
    assert.equal(h.published.length, published);
  });

  it('needs an operator token', async () => {
    const response = await h.app.inject({ method: 'POST', url: '/api/clock/reset', payload: { reason: 'x' } });
    assert.equal(response.statusCode, 401);
  });
});
