/**
 * The clearing API through app.inject(), on the demo feed: settlement (JSON and CSV),
 * an account's journeys, flags, priced ticket sales and gate registration against the
 * feed, and every bad input answered 400 with the field and the reason. Expected amounts
 * come from the demo feed: metro zone 1 → 2 3.40 GBP, bus single 1.75, the metro and bus
 * daily cap 8.10 (sold here as a day pass).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TapRecord } from '../../protocol/uplink/tap-record.ts';
import { DEMO_FEED, gateTap } from '../clearing/clearing-test-fixture.ts';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

const ACCOUNT = 'acc0000000000000000000b2';
const DAY = '2026-11-27';

async function deliver(h: ApiHarness, records: TapRecord[]): Promise<void> {
  for (const device of new Set(records.map((r) => r.device))) await h.ledger.ingestBatch(device, records.filter((r) => r.device === device));
  h.clearing!.observe(records);
  await h.clearing!.drain();
}

async function registerGates(h: ApiHarness): Promise<void> {
  for (const [id, station, mode, direction] of [['central-in', 'central', 'metro', 'entry'], ['market-out', 'market', 'metro', 'exit'], ['bus-7', 'high_street', 'bus', 'entry']] as const) {
    const reply = await h.operator({ method: 'POST', url: '/api/devices', payload: { id, station, zone: 1, mode, direction } });
    assert.equal(reply.statusCode, 201, reply.body);
  }
}

describe('clearing API', () => {
  let h: ApiHarness;
  beforeEach(async () => (h = await apiHarness({ fareFeedDir: DEMO_FEED })));
  afterEach(async () => h.close());

  it('settles a day per agency: account charges plus a day pass apportioned by its entries, with the reconciliation', async () => {
    await registerGates(h);
    const sold = await h.operator({ method: 'POST', url: '/api/tickets', payload: { product: 'day', from: '2026-11-27T04:30:00Z', until: '2026-11-28T04:30:00Z', fareProductId: 'cap_day' } });
    assert.equal(sold.statusCode, 201, sold.body);
    const pass = (sold.json() as { ticketId: string }).ticketId;
    const view = (await h.operator({ method: 'GET', url: `/api/tickets/${pass}` })).json() as Record<string, unknown>;
    assert.deepEqual([view.fareProductId, view.priceMinor, view.currency], ['cap_day', 810, 'GBP']);
    await deliver(h, [
      gateTap('central-in', 1, '2026-11-27T08:02:00Z', 'central', { ticketId: ACCOUNT }),
      gateTap('market-out', 1, '2026-11-27T08:31:00Z', 'market', { ticketId: ACCOUNT, direction: 'exit' }),
      gateTap('bus-7', 1, '2026-11-27T08:40:00Z', 'high_street', { ticketId: ACCOUNT, mode: 'bus' }),
      gateTap('central-in', 2, '2026-11-27T09:00:00Z', 'central', { ticketId: pass, product: 'day' }),
      gateTap('market-out', 3, '2026-11-27T09:30:00Z', 'market', { ticketId: pass, product: 'day', direction: 'exit' }),
      gateTap('bus-7', 2, '2026-11-27T10:00:00Z', 'high_street', { ticketId: pass, product: 'day', mode: 'bus' }),
    ]);
    const reply = await h.operator({ method: 'GET', url: `/api/settlement?day=${DAY}` });
    assert.equal(reply.statusCode, 200, reply.body);
    const settlement = reply.json() as { agencies: Array<Record<string, unknown>>; provisional: boolean; reconciliation: { devices: Array<Record<string, unknown>> } };
    assert.deepEqual(
      settlement.agencies.map((a) => [a.agency, a.agencyName, a.accountChargesMinor, a.accountLegs, a.ticketRevenueMinor, a.ticketEntries, a.totalMinor]),
      [['demo_bus', 'Demo Buses', 175, 1, 405, 1, 580], ['demo_metro', 'Demo Metro', 340, 1, 405, 1, 745]],
    );
    assert.equal(settlement.provisional, false, 'the pass has expired');
    const marketOut = settlement.reconciliation.devices.find((d) => d.device === 'market-out')!;
    assert.deepEqual([marketOut.firstSeq, marketOut.lastSeq, marketOut.expected, marketOut.received, marketOut.missing], [1, 3, 3, 2, [[2, 2]]]);

    const csv = await h.operator({ method: 'GET', url: `/api/settlement?day=${DAY}`, headers: { accept: 'text/csv' } });
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const lines = csv.body.split('\r\n');
    assert.equal(lines[0], 'section,service_day,agency,agency_name,currency,account_charges_minor,account_legs,accounts,ticket_revenue_minor,ticket_entries,tickets,total_minor,provisional');
    assert.equal(lines[2], 'agency,2026-11-27,demo_metro,Demo Metro,GBP,340,1,1,405,1,1,745,false');
    // Gate times are days before the real clock: every record arrived late.
    assert.match(csv.body, /\r\ndevice,2026-11-27,market-out,1,3,3,2,2-2,2-2,,0,2,\d+\r\n/);
  });

  it("lists an account's journeys with charges and explanations, and every superseded version on request", async () => {
    await registerGates(h);
    await deliver(h, [gateTap('central-in', 1, '2026-11-27T08:02:00Z', 'central', { ticketId: ACCOUNT })]);
    await deliver(h, [gateTap('market-out', 1, '2026-11-27T08:31:00Z', 'market', { ticketId: ACCOUNT, direction: 'exit' })]);
    const current = (await h.operator({ method: 'GET', url: `/api/accounts/${ACCOUNT.toUpperCase()}/journeys?from=${DAY}` })).json() as { days: Array<{ version: number; legs: Array<{ chargeMinor: number; explain: string[] }> }> };
    assert.equal(current.days.length, 1);
    assert.equal(current.days[0]!.version, 2);
    assert.equal(current.days[0]!.legs[0]!.chargeMinor, 340);
    assert.match(current.days[0]!.legs[0]!.explain[0]!, /Metro from Central \(Zone 1\) to Market \(Zone 2\): Metro single zones 1-2 for Adult, 3\.40 GBP/);
    const history = (await h.operator({ method: 'GET', url: `/api/accounts/${ACCOUNT}/journeys?from=${DAY}&to=2026-11-28&history=true` })).json() as { days: Array<{ version: number; totalMinor: number; legs: Array<{ status: string }> }> };
    assert.deepEqual(history.days.map((d) => [d.version, d.totalMinor, d.legs[0]!.status]), [[1, 850, 'incomplete'], [2, 340, 'complete']]);
  });

  it('lists flags, by kind too', async () => {
    await registerGates(h);
    const single = 'c3c3c3c3c3c3c3c3c3c3c3c3';
    await deliver(h, [
      gateTap('central-in', 1, '2026-11-27T09:00:00Z', 'central', { ticketId: single, product: 'single' }),
      gateTap('bus-7', 1, '2026-11-27T09:30:00Z', 'high_street', { ticketId: single, product: 'single', mode: 'bus' }),
      gateTap('central-in', 2, '2026-11-27T10:00:00Z', 'central', { ticketId: ACCOUNT }),
      gateTap('central-in', 3, '2026-11-27T11:00:00Z', 'central', { ticketId: ACCOUNT }),
    ]);
    const all = (await h.operator({ method: 'GET', url: `/api/flags?from=${DAY}` })).json() as { flags: Array<{ kind: string; subject: string }> };
    assert.deepEqual(all.flags.map((f) => [f.kind, f.subject]), [['single-reused', single], ['missing-exit', ACCOUNT]]);
    const some = (await h.operator({ method: 'GET', url: `/api/flags?from=${DAY}&kind=single-reused` })).json() as { flags: unknown[] };
    assert.equal(some.flags.length, 1);
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /faregate_clearing_flags_total\{kind="single-reused"\} 1/);
    assert.match(metrics.body, /faregate_clearing_flags_total\{kind="missing-exit"\} 1/);
  });

  it('answers bad input with 400 naming the field and why', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/settlement', /query\/day is required/],
      ['/api/settlement?day=27-11-2026', /query\/day must be a service day as YYYY-MM-DD/],
      ['/api/settlement?day=2026-02-30', /query\/day 2026-02-30 is not a date in the calendar/],
      [`/api/accounts/${ACCOUNT}/journeys?from=2026-11-28&to=2026-11-27`, /query\/to 2026-11-27 is before from 2026-11-28/],
      [`/api/accounts/${ACCOUNT}/journeys?from=2024-01-01&to=2026-01-01`, /query\/to is 732 days after from; at most 366/],
      [`/api/accounts/nothex/journeys?from=${DAY}`, /params\/account must be the account: its ticket id/],
      [`/api/flags?from=${DAY}&kind=odd`, /query\/kind must be one of single-reused, missing-exit, too-fast/],
    ];
    for (const [url, message] of cases) {
      const reply = await h.operator({ method: 'GET', url });
      assert.equal(reply.statusCode, 400, url);
      assert.match((reply.json() as { message: string }).message, message, url);
    }
    const sale = (payload: Record<string, unknown>) => h.operator({ method: 'POST', url: '/api/tickets', payload: { from: '2026-11-27T04:30:00Z', until: '2026-11-28T04:30:00Z', ...payload } });
    assert.match((await sale({ product: 'day', fareProductId: 'nope' })).body, /body\/fareProductId \\"nope\\" is not a fare product of the fare feed/);
    assert.match((await sale({ product: 'account', fareProductId: 'cap_day' })).body, /body\/fareProductId is not for an account ticket/);
    const gate = await h.operator({ method: 'POST', url: '/api/devices', payload: { id: 'gate-9', station: 'nowhere', zone: 1, mode: 'tram', direction: 'entry' } });
    assert.equal(gate.statusCode, 400);
    assert.equal((gate.json() as { message: string }).message, 'body/station "nowhere" is not a stop_id of the fare feed (set fareStop); body/mode "tram" is not a network_id of the fare feed (set fareNetwork)');
    assert.equal(await h.ledger.getDevice('gate-9'), null, 'nothing registered');
  });

  it('answers 409 on a gateway without a fare feed', async () => {
    const plain = await apiHarness();
    try {
      const reply = await plain.operator({ method: 'GET', url: `/api/settlement?day=${DAY}` });
      assert.equal(reply.statusCode, 409);
      assert.match((reply.json() as { message: string }).message, /no fare feed/);
    } finally {
      await plain.close();
    }
  });
});
