import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { buildAsyncApiDocument } from '../../protocol/asyncapi/asyncapi-document.ts';
import { encodeMessage } from '../../protocol/mqtt/messages.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { AsyncApiPayloads } from '../../runtime/testing/asyncapi-payloads.ts';
import { waitUntil } from '../../runtime/testing/wait.ts';
import { TapIngest } from '../ingest/tap-ingest.ts';
import { sampleDevice, sampleLoss, sampleTap, sampleTaps } from '../ledger/sample-records.ts';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { createGatewayMetrics } from '../metrics/gateway-metrics.ts';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

describe('AsyncAPI routes', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  it('serves the AsyncAPI 3.0 document at /asyncapi.json without a token', async () => {
    const response = await h.app.inject({ url: '/asyncapi.json' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const doc = response.json<{ asyncapi: string }>();
    assert.equal(doc.asyncapi, '3.0.0');
    assert.deepEqual(doc, JSON.parse(JSON.stringify(buildAsyncApiDocument())));
  });

  it('renders a self-contained page of every channel, message and field, with a CSP that allows only its own style', async () => {
    const response = await h.app.inject({ url: '/asyncapi' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.ok(!/\b(src|href)="(https?:)?\/\//.test(response.body), 'no external resources');
    assert.ok(!response.body.includes('<script'), 'no script');
    assert.match(String(response.headers['content-security-policy']), /default-src 'none'; style-src 'sha256-/);
    const doc = buildAsyncApiDocument() as unknown as { channels: Record<string, { address: string }> };
    for (const channel of Object.values(doc.channels)) assert.ok(response.body.includes(`<code>${channel.address}</code>`), channel.address);
    for (const field of ['ackedThrough', 'records[] (kind tap).ticketId', 'records[] (kind loss).reason', 'entries[].key', 'iss[].pub', 'unanchoredClock', 'resetTo']) {
      assert.ok(response.body.includes(`<code>${field}</code>`), field);
    }
    assert.match(response.body, /one of &quot;ok&quot;, &quot;rejected&quot;/);
  });
});

describe('AsyncAPI schemas against the acks the gateway sends', () => {
  const doc = JSON.parse(JSON.stringify(buildAsyncApiDocument())) as unknown;
  const payloads = new AsyncApiPayloads(doc);
  let ledger: SqliteLedger;
  let sent: Array<{ topic: string; payload: Buffer }>;
  let ingest: TapIngest;
  before(async () => {
    ledger = new SqliteLedger({ path: join(mkdtempSync(join(tmpdir(), 'faregate-asyncapi-')), 'ledger.sqlite') });
    await ledger.start();
    sent = [];
    ingest = new TapIngest(ledger, { publish: async (topic, payload) => void sent.push({ topic, payload }) }, createGatewayMetrics(), pino({ level: 'silent' }));
    // Ingest takes batches only from a registered gate, at the place the sample records name.
    await ledger.upsertDevice(sampleDevice('gate-1'));
  });
  after(() => ledger.stop());

  const deliver = async (payload: Buffer): Promise<Record<string, unknown>> => {
    const before = sent.length;
    ingest.onMessage(topics.taps('gate-1'), payload);
    await ingest.drain();
    // A refused batch is acked without a commit, so drain() does not cover it.
    await waitUntil('the ack is published', () => sent.length > before);
    const last = sent.at(-1);
    assert.equal(last?.topic, topics.ack('gate-1'));
    return JSON.parse(last.payload.toString()) as Record<string, unknown>;
  };

  it('describes ok, missing, seq_conflict and rejected acks exactly as TapIngest publishes them', async () => {
    const batch = (from: number, to: number) => encodeMessage({ v: 1, device: 'gate-1', firstSeq: from, lastSeq: to, records: sampleTaps('gate-1', from, to) });
    const acks = [
      await deliver(batch(1, 5)),
      await deliver(batch(11, 12)),
      await deliver(encodeMessage({ v: 1, device: 'gate-1', firstSeq: 3, lastSeq: 3, records: [sampleTap('gate-1', 3, { ticketId: '00000000000000aa' })] })),
      await deliver(encodeMessage({ v: 1, device: 'gate-1', firstSeq: 13, lastSeq: 14, records: [sampleLoss('gate-1', 13, 6, 10), ...sampleTaps('gate-1', 14, 14)] })),
      await deliver(Buffer.from('{"v":1,"device":"gate-1"}')),
    ];
    assert.deepEqual(
      acks.map((ack) => [ack.status, ack.reason === undefined ? undefined : String(ack.reason).split(':')[0], ack.ackedThrough]),
      [['ok', undefined, 5], ['ok', undefined, 5], ['ok', 'seq_conflict', 5], ['ok', undefined, 14], ['rejected', 'tap batch', 14]],
    );
    assert.ok(acks.some((ack) => ack.missing !== undefined) && acks.some((ack) => ack.conflicts !== undefined), 'missing and conflicts covered');
    for (const ack of acks) assert.equal(payloads.problems('batchAck', ack), '', JSON.stringify(ack));
  });
});
