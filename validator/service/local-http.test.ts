import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildLocalHttp, type HealthReport } from './local-http.ts';
import { createValidatorMetrics } from './validator-metrics.ts';

const report = (ready: boolean): HealthReport => ({
  ready,
  device: 'gate-1',
  gate: ready ? 'closed' : 'stopped',
  clock: { status: 'anchored', trusted: true, rollbackDetected: false },
  bundles: { trust: 3, deny: 7 },
  journal: { nextSeq: 11, committedSeq: 10, acknowledgedSeq: 8, backlogRecords: 2, backlogBytes: 400, backlogAlarm: false, uncommittedMs: 0, fault: null },
  uplink: { configured: true, connected: true, lastBatchAt: null, lastAckAt: null, batchesSent: 4 },
});

describe('validator local surface', () => {
  it('answers /healthz with 200 when ready and 503 when not', async () => {
    const metrics = createValidatorMetrics();
    let ready = true;
    const app = buildLocalHttp(() => report(ready), metrics.registry);
    const ok = await app.inject({ url: '/healthz' });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().bundles.deny, 7);
    ready = false;
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 503);
    await app.close();
  });

  it('serves Prometheus text with decisions by reason, refreshing the gauges first', async () => {
    const metrics = createValidatorMetrics();
    metrics.decisions.inc({ decision: 'reject', reason: 'expired' });
    let refreshed = 0;
    const app = buildLocalHttp(() => {
      refreshed++;
      metrics.journalBacklog.set(2);
      return report(true);
    }, metrics.registry);
    const response = await app.inject({ url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /text\/plain/);
    assert.match(response.body, /faregate_decisions_total\{decision="reject",reason="expired"\} 1/);
    assert.match(response.body, /faregate_journal_backlog_records 2/);
    assert.equal(refreshed, 1);
    await app.close();
  });
});
