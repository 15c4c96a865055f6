/**
 * Clearing on ingest against the demo feed (gateway/fares/examples/demo-feed). Expected
 * amounts come from the feed's rules: metro zone 1 → zone 2 £3.40, the metro maximum
 * fare £8.50 for an entry without its exit, a bus single £1.75 (adult).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { clearingHarness, gateTap, type ClearingHarness } from './clearing-test-fixture.ts';
import { FareClearing } from './fare-clearing.ts';

const ACCOUNT = 'acc0000000000000000000a1';
const DAY = '2026-11-27';

async function counter(h: ClearingHarness, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await h.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(value?.value ?? 0);
}

describe('clearing on ingest', () => {
  let h: ClearingHarness;
  beforeEach(async () => (h = await clearingHarness()));
  afterEach(async () => h.close());

  it('rates account taps as they arrive and supersedes the charge when a late exit arrives', async () => {
    const entry = gateTap('central-in', 1, '2026-11-27T08:02:00Z', 'central', { ticketId: ACCOUNT });
    const bus = gateTap('bus-7', 1, '2026-11-27T08:40:00Z', 'high_street', { ticketId: ACCOUNT, mode: 'bus' });
    const exit = gateTap('market-out', 1, '2026-11-27T08:31:00Z', 'market', { ticketId: ACCOUNT, direction: 'exit' });
    h.clock.now = Date.parse('2026-11-27T08:41:00Z');
    await h.deliver([entry, bus]);
    const [first] = await h.ledger.currentRatings(ACCOUNT, DAY, DAY);
    assert.deepEqual(first!.legs.map((l) => [l.status, l.chargeMinor, l.agency]), [['incomplete', 850, 'demo_metro'], ['complete', 175, 'demo_bus']]);
    assert.deepEqual(first!.flags.map((f) => f.kind), ['missing-exit']);
    assert.equal(first!.version, 1);

    // The exit gate was offline for hours: its batch arrives at noon.
    h.clock.now = Date.parse('2026-11-27T12:00:00Z');
    await h.deliver([exit]);
    const [second] = await h.ledger.currentRatings(ACCOUNT, DAY, DAY);
    assert.equal(second!.version, 2);
    assert.equal(second!.reason, 'late taps from market-out');
    assert.deepEqual(second!.legs.map((l) => [l.fromStop, l.toStop, l.status, l.chargeMinor]), [['central', 'market', 'complete', 340], ['high_street', null, 'complete', 175]]);
    assert.equal(second!.totalMinor, 515);
    assert.deepEqual(second!.legs[0]!.taps, [{ device: 'central-in', seq: 1 }, { device: 'market-out', seq: 1 }]);
    assert.deepEqual(second!.flags, [], 'the exit came: no flag any more');
    const history = await h.ledger.ratingHistory(ACCOUNT, DAY, DAY);
    assert.deepEqual(history.map((r) => [r.version, r.totalMinor]), [[1, 1025], [2, 515]], 'the superseded charge is kept as it was');
    assert.equal(await counter(h, 'faregate_clearing_ratings_total', { kind: 'superseded' }), 1);
    const late = await h.ledger.lateSummary(Date.parse('2026-11-27T04:30:00Z'), Date.parse('2026-11-28T04:30:00Z'));
    assert.deepEqual(late.map((l) => [l.device, l.maxDelayMs / 60_000]), [['central-in', 39], ['market-out', 209]], 'the bus tap, a minute old, was not late');

    // A re-sent batch changes nothing.
    await h.deliver([exit, entry]);
    assert.equal((await h.ledger.ratingHistory(ACCOUNT, DAY, DAY)).length, 2);
  });

  it('rates at start what a crash left committed but not rated, without calling it late', async () => {
    await h.ledger.ingestBatch('central-in', [gateTap('central-in', 1, '2026-11-27T08:02:00Z', 'central', { ticketId: ACCOUNT })]);
    await h.ledger.ingestBatch('market-out', [gateTap('market-out', 1, '2026-11-27T08:31:00Z', 'market', { ticketId: ACCOUNT, direction: 'exit' })]);
    const restarted = new FareClearing(h.ledger, h.clearing.feed, h.metrics, pino({ level: 'silent' }), { minTravelMs: 120_000, lateAfterMs: 300_000, now: () => h.clock.now });
    await restarted.start();
    await restarted.drain();
    const [rating] = await h.ledger.currentRatings(ACCOUNT, DAY, DAY);
    assert.deepEqual(rating!.legs.map((l) => [l.fromStop, l.toStop, l.chargeMinor]), [['central', 'market', 340]]);
    assert.deepEqual(await h.ledger.lateSummary(0, Date.parse('2027-01-01T00:00:00Z')), []);
    await restarted.stop();
  });

  it('uses the gate\'s registered fare stop and network over its station and mode', async () => {
    const state = { online: true, lastSeen: null, bundleVersions: {}, backlog: 0, clockAnchored: true };
    await h.ledger.upsertDevice({ id: 'gate-x', station: 'STATION-9', zone: 1, mode: 'tram', direction: 'entry', credentialHash: 'h', createdAt: 1, state, fareStop: 'park', fareNetwork: 'bus' });
    await h.deliver([gateTap('gate-x', 1, '2026-11-27T09:00:00Z', 'STATION-9', { ticketId: ACCOUNT, mode: 'tram', fareClass: 'child' })]);
    const [rating] = await h.ledger.currentRatings(ACCOUNT, DAY, DAY);
    assert.deepEqual(rating!.legs.map((l) => [l.network, l.fromStop, l.category, l.chargeMinor]), [['bus', 'park', 'child', 85]]);
  });

  it('flags an account entering two stations faster than the network allows', async () => {
    await h.deliver([
      gateTap('central-in', 1, '2026-11-27T09:00:00Z', 'central', { ticketId: ACCOUNT }),
      gateTap('airport-in', 1, '2026-11-27T09:01:00Z', 'airport', { ticketId: ACCOUNT }),
    ]);
    const flags = await h.ledger.ratingFlags(DAY, DAY);
    assert.deepEqual(flags.map((f) => [f.kind, f.at]), [['missing-exit', Date.parse('2026-11-27T09:01:00Z')], ['too-fast', Date.parse('2026-11-27T09:01:00Z')]]);
    assert.match(flags[1]!.detail, /Airport 1 min after a tap at Central; the network needs at least 2 min/);
    assert.equal(await counter(h, 'faregate_clearing_flags_total', { kind: 'too-fast' }), 1);
  });

  it('records uses of singles and passes and flags a single accepted at a second entry, once', async () => {
    const single = 'a1a1a1a1a1a1a1a1a1a1a1a1';
    const taps = [
      gateTap('central-in', 1, '2026-11-27T09:00:00Z', 'central', { ticketId: single, product: 'single' }),
      gateTap('market-out', 1, '2026-11-27T09:20:00Z', 'market', { ticketId: single, product: 'single', direction: 'exit' }),
      gateTap('airport-in', 1, '2026-11-27T10:00:00Z', 'airport', { ticketId: single, product: 'single' }),
    ];
    await h.deliver(taps);
    await h.deliver(taps);
    assert.deepEqual((await h.ledger.ticketUses(single)).map((u) => [u.direction, u.stop, u.serviceDay]), [['in', 'central', DAY], ['out', 'market', DAY], ['in', 'airport', DAY]]);
    assert.equal((await h.ledger.repeatedEntries('single', DAY, DAY)).length, 2);
    assert.equal(await counter(h, 'faregate_clearing_flags_total', { kind: 'single-reused' }), 1);
    assert.deepEqual(await h.ledger.currentRatings(single, DAY, DAY), [], 'a single is not an account');
  });
});
