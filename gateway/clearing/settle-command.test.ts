/** `gateway settle`: the day's settlement from the ledger of a data directory, JSON or CSV; bad input exits 2. */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { runCli } from '../../runtime/testing/run-cli.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { loadFeed } from '../fares/fares-api.ts';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { createGatewayMetrics } from '../metrics/gateway-metrics.ts';
import { DEMO_FEED, gateTap } from './clearing-test-fixture.ts';
import { FareClearing } from './fare-clearing.ts';
import { settleCommand } from './settle-command.ts';

describe('gateway settle', () => {
  let dataDir: string;
  let remove: () => Promise<void>;
  before(async () => {
    const temp = await makeTempDir('settle');
    remove = temp.remove;
    dataDir = join(temp.dir, 'data');
    mkdirSync(dataDir);
    const ledger = new SqliteLedger({ path: join(dataDir, 'ledger.sqlite') });
    await ledger.start();
    const clearing = new FareClearing(ledger, loadFeed(DEMO_FEED), createGatewayMetrics(), pino({ level: 'silent' }), { minTravelMs: 120_000, lateAfterMs: 300_000 });
    await clearing.start();
    const records = [
      gateTap('central-in', 1, '2026-11-27T08:02:00Z', 'central', { ticketId: 'acc0000000000000000000c3' }),
      gateTap('market-out', 1, '2026-11-27T08:31:00Z', 'market', { ticketId: 'acc0000000000000000000c3', direction: 'exit' }),
    ];
    for (const record of records) await ledger.ingestBatch(record.device, [record]);
    clearing.observe(records);
    await clearing.stop();
    await ledger.stop();
  });
  after(() => remove());

  it('prints the settlement as JSON and as CSV', async () => {
    let out = '';
    await settleCommand(['--day', '2026-11-27', '--data-dir', dataDir, '--fare-feed', DEMO_FEED], (text) => (out += text));
    const settlement = JSON.parse(out) as { agencies: Array<{ agency: string; accountChargesMinor: number }> };
    assert.deepEqual(settlement.agencies.map((a) => [a.agency, a.accountChargesMinor]), [['demo_metro', 340]]);
    out = '';
    await settleCommand(['--day', '2026-11-27', '--format', 'csv', '--data-dir', dataDir, '--fare-feed', DEMO_FEED], (text) => (out += text));
    assert.match(out, /^section,service_day,agency,/);
    assert.match(out, /\r\nagency,2026-11-27,demo_metro,Demo Metro,GBP,340,1,1,0,0,0,340,false\r\n/);
  });

  it('exits 2 with the field and the reason on bad input', () => {
    for (const [args, message] of [
      [['--day', '2026-13-01'], /--day "2026-13-01": must be a date in the calendar as YYYY-MM-DD/],
      [['--day', '2026-11-27', '--format', 'xml'], /--format "xml": must be json or csv/],
      [['--format', 'csv'], /--day is required/],
    ] as const) {
      const result = runCli('gateway/cli.ts', ['settle', ...args, '--data-dir', dataDir, '--fare-feed', DEMO_FEED]);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
  });
});
