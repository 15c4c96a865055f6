import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { sampleTap, EPOCH_MS } from '../ledger/sample-records.ts';
import { createGatewayMetrics } from '../metrics/gateway-metrics.ts';
import { PassbackSlips } from './passback-slips.ts';

const TICKET = 'ab'.repeat(16);

function setup(singles = true) {
  const metrics = createGatewayMetrics();
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const slips = new PassbackSlips({ passbackSeconds: () => 600, singles }, metrics, logger);
  const count = async (rule: string): Promise<number> => (await metrics.passbackSlips.get()).values.find((v) => v.labels.rule === rule)?.value ?? 0;
  return { slips, lines, count };
}

describe('clearing flags tickets that got through twice', () => {
  it('flags a single ticket accepted at two entries, at any stations, once however often the batch is re-sent', async () => {
    const { slips, lines, count } = setup();
    const first = sampleTap('gate-1', 5, { ticketId: TICKET, product: 'single', decision: 'accept', reason: 'ok' });
    const second = sampleTap('gate-2', 9, { ticketId: TICKET, product: 'single', decision: 'accept', reason: 'ok', station: 'harbour', at: EPOCH_MS + 86_400_000 });
    assert.equal(slips.observe([first]), 0);
    assert.equal(slips.observe([second]), 1);
    assert.equal(slips.observe([first, second]), 0, 're-sent records are not flagged again');
    assert.equal(await count('single_use'), 1);
    const line = lines.find((l) => l.msg === 'a ticket got through twice where the rules say no')!;
    assert.deepEqual([(line.first as { device: string }).device, (line.second as { device: string }).device], ['gate-1', 'gate-2']);
  });

  it('flags another product only at the same station within the anti-passback time, whatever order the taps arrive in', async () => {
    const { slips, count } = setup();
    const at = (seconds: number) => EPOCH_MS + seconds * 1000;
    const day = (device: string, seq: number, station: string, seconds: number) =>
      sampleTap(device, seq, { ticketId: TICKET, product: 'day', decision: 'accept', reason: 'ok', station, at: at(seconds) });
    assert.equal(slips.observe([day('gate-1', 1, 'central', 1000)]), 0);
    assert.equal(slips.observe([day('gate-3', 1, 'harbour', 1010)]), 0, 'another station');
    assert.equal(slips.observe([day('gate-2', 1, 'central', 1000 + 600)]), 0, 'after the anti-passback time');
    assert.equal(slips.observe([day('gate-4', 1, 'central', 990)]), 1, 'an earlier gate time arriving later');
    assert.equal(await count('passback'), 1);
  });

  it('leaves reused singles to fare clearing when that runs', () => {
    const { slips } = setup(false);
    const single = (device: string) => sampleTap(device, 1, { ticketId: TICKET, product: 'single', decision: 'accept', reason: 'ok' });
    assert.equal(slips.observe([single('gate-1'), single('gate-2')]), 0);
  });

  it('ignores rejects, exits and other records', () => {
    const { slips } = setup();
    const tap = { ticketId: TICKET, product: 'single' as const };
    assert.equal(slips.observe([
      sampleTap('gate-1', 1, { ...tap, decision: 'accept', reason: 'ok' }),
      sampleTap('gate-2', 1, { ...tap, decision: 'reject', reason: 'passback' }),
      sampleTap('gate-3', 1, { ...tap, decision: 'accept', reason: 'ok', direction: 'exit' }),
    ]), 0);
  });
});
