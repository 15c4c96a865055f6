/** Ledger contract: the clearing tables (clearing-store.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountDayRating, ChargedLeg, TicketUse } from './clearing-store.ts';
import { CONTRACT_NOW, freshLedgerPerTest, type MakeLedger } from './contract-fixture.ts';
import { EPOCH_MS, sampleTap, sampleTaps } from './sample-records.ts';

const leg = (legIndex: number, overrides: Partial<ChargedLeg> = {}): ChargedLeg => ({
  legIndex, network: 'metro', agency: 'demo_metro', fromStop: 'central', toStop: 'market', start: EPOCH_MS + legIndex * 60_000,
  end: EPOCH_MS + legIndex * 60_000 + 30_000, status: 'complete', fareProductId: 'metro_12', category: 'adult', baseMinor: 340,
  chargeMinor: 340, currency: 'GBP', subJourney: legIndex, explain: ['Metro from Central (Zone 1) to Market (Zone 2): £3.40'],
  taps: [{ device: 'gate-1', seq: legIndex * 2 + 1 }, { device: 'gate-2', seq: legIndex * 2 + 2 }], ...overrides,
});

function rating(account: string, serviceDay: string, version: number, legs: ChargedLeg[], overrides: Partial<AccountDayRating> = {}): AccountDayRating {
  return {
    account, serviceDay, version, ratedAt: CONTRACT_NOW + version, reason: version === 1 ? 'new taps' : 'late taps from gate-2',
    totalMinor: legs.reduce((sum, l) => sum + l.chargeMinor, 0), currency: 'GBP', legs, flags: [], ...overrides,
  };
}

const use = (device: string, seq: number, ticketId: string, overrides: Partial<TicketUse> = {}): TicketUse => ({
  device, seq, ticketId, product: 'day', at: EPOCH_MS + seq * 1000, serviceDay: '2026-01-01', direction: 'in', stop: 'central',
  network: 'metro', agency: 'demo_metro', ...overrides,
});

export function describeClearingContract(makeLedger: MakeLedger): void {
  describe('clearing tables', () => {
    const fx = freshLedgerPerTest(makeLedger);

    it('keeps every version of an account-day and serves the highest as current', async () => {
      const { ledger } = fx;
      const first = rating('acct-1', '2026-01-01', 1, [leg(0, { status: 'incomplete', toStop: null, end: null, chargeMinor: 850, baseMinor: 850, subJourney: null })]);
      const second = rating('acct-1', '2026-01-01', 2, [leg(0), leg(1, { fromStop: null, explain: [] })], {
        flags: [{ kind: 'too-fast', subject: 'acct-1', at: EPOCH_MS, serviceDay: '2026-01-01', detail: 'Central then Market in 1 min' }],
      });
      const otherDay = rating('acct-1', '2026-01-02', 1, [leg(0, { agency: 'demo_bus', network: 'bus', chargeMinor: 175 })]);
      assert.equal(await ledger.insertRating(first), true);
      assert.equal(await ledger.insertRating(second), true);
      assert.equal(await ledger.insertRating(otherDay), true);
      assert.equal(await ledger.insertRating(rating('acct-2', '2026-01-01', 1, [leg(0, { chargeMinor: 100 })])), true);
      assert.equal(await ledger.insertRating({ ...second, legs: [leg(0), leg(1), leg(2)], totalMinor: 1 }), false, 'a version is written once');
      assert.deepEqual(await ledger.currentRatings('acct-1', '2026-01-01', '2026-01-02'), [second, otherDay]);
      assert.deepEqual(await ledger.currentRatings('acct-1', '2026-01-02', '2026-01-31'), [otherDay]);
      assert.deepEqual(await ledger.ratingHistory('acct-1', '2026-01-01', '2026-01-01'), [first, second], 'the superseded version is kept as it was');
      assert.deepEqual(await ledger.currentRatings('nobody', '2026-01-01', '2026-12-31'), []);
      assert.deepEqual(await ledger.chargeTotals('2026-01-01'), [{ agency: 'demo_metro', currency: 'GBP', chargedMinor: 780, legs: 3, accounts: 2 }]);
      assert.deepEqual(await ledger.chargeTotals('2026-01-02'), [{ agency: 'demo_bus', currency: 'GBP', chargedMinor: 175, legs: 1, accounts: 1 }]);
      assert.deepEqual(await ledger.ratingFlags('2026-01-01', '2026-01-02'), second.flags);
    });

    it('records each ticket use once and finds the uses of tickets used on a day and repeated entries', async () => {
      const { ledger } = fx;
      const uses = [
        use('gate-1', 1, 'ticket-a'),
        use('gate-1', 2, 'ticket-b', { product: 'single' }),
        use('gate-2', 3, 'ticket-b', { product: 'single', direction: 'out' }),
        use('gate-1', 4, 'ticket-a', { serviceDay: '2026-01-02', network: 'bus', agency: 'demo_bus' }),
        use('gate-3', 5, 'ticket-c', { product: 'single', serviceDay: '2026-01-02' }),
        use('gate-1', 6, 'ticket-c', { product: 'single', serviceDay: '2026-01-02' }),
      ];
      assert.equal(await ledger.recordTicketUses(uses), 6);
      assert.equal(await ledger.recordTicketUses([uses[0]!, { ...uses[1]!, ticketId: 'changed' }]), 0, 'a record is one use');
      assert.deepEqual(await ledger.ticketUses('ticket-a'), [uses[0], uses[3]]);
      assert.deepEqual(await ledger.usesOfTicketsUsedOn('2026-01-02'), [uses[0], uses[3], uses[4], uses[5]]);
      assert.deepEqual(await ledger.repeatedEntries('single', '2026-01-01', '2026-01-31'), [uses[4], uses[5]], 'an exit is not a second entry');
      assert.deepEqual(await ledger.repeatedEntries('single', '2026-01-01', '2026-01-01'), []);
    });

    it('summarises late arrivals and the seq ranges received per device', async () => {
      const { ledger } = fx;
      await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 5));
      await ledger.ingestBatch('gate-2', [sampleTap('gate-2', 2), sampleTap('gate-2', 7)]);
      const late = (device: string, seq: number, delay: number) => ({ device, seq, at: EPOCH_MS + seq * 1000, receivedAt: EPOCH_MS + seq * 1000 + delay });
      assert.equal(await ledger.recordLateArrivals([late('gate-2', 2, 3_600_000), late('gate-2', 7, 60_000), late('gate-1', 5, 1000)]), 3);
      assert.equal(await ledger.recordLateArrivals([late('gate-2', 2, 5)]), 0);
      const window = { from: EPOCH_MS, until: EPOCH_MS + 6000 };
      assert.deepEqual(await ledger.lateSummary(window.from, window.until), [
        { device: 'gate-1', count: 1, firstSeq: 5, lastSeq: 5, maxDelayMs: 1000 },
        { device: 'gate-2', count: 1, firstSeq: 2, lastSeq: 2, maxDelayMs: 3_600_000 },
      ]);
      assert.deepEqual(await ledger.deviceRanges(window.from, window.until), [
        { device: 'gate-1', firstSeq: 1, lastSeq: 5, received: 5 },
        { device: 'gate-2', firstSeq: 2, lastSeq: 2, received: 1 },
      ]);
    });

    it('keeps a gate\'s place in the fare feed and a ticket\'s fare product and price', async () => {
      const { ledger } = fx;
      const state = { online: false, lastSeen: null, bundleVersions: {}, backlog: 0, clockAnchored: false };
      const base = { station: 'central', zone: 1, mode: 'metro' as const, direction: 'entry' as const, credentialHash: 'h', createdAt: 1, state };
      await ledger.upsertDevice({ id: 'mapped', ...base, fareStop: 'central_p1', fareNetwork: 'tube' });
      await ledger.upsertDevice({ id: 'plain', ...base });
      assert.deepEqual(await ledger.getDevice('mapped'), { id: 'mapped', ...base, fareStop: 'central_p1', fareNetwork: 'tube' });
      assert.deepEqual(await ledger.getDevice('plain'), { id: 'plain', ...base });
      const ticket = {
        ticketId: 'aabbccddeeff001122334455', product: 'day' as const, fareClass: 'adult' as const, zones: [], modes: [], nbf: 1, exp: 2,
        text: 'FG1:X', issuedAt: 3, fareProductId: 'cap_day', priceMinor: 810, currency: 'GBP',
      };
      await ledger.insertIssuedTicket(ticket);
      assert.deepEqual(await ledger.getIssuedTicket(ticket.ticketId), ticket);
    });

    it('lets one holder of an account lock at a time, across ledgers on the same store', async () => {
      const other = fx.harness.open({ now: () => CONTRACT_NOW });
      await other.start();
      try {
        // Read-modify-write with store round trips in between: without the lock, updates would be lost.
        let counter = 0;
        let holders = 0;
        const bump = (ledger: typeof other) =>
          ledger.withAccountLock('acct-locked', async () => {
            holders++;
            assert.equal(holders, 1, 'two holders at once');
            const seen = counter;
            await ledger.currentRatings('acct-locked', '2026-01-01', '2026-01-01');
            await ledger.listDevices();
            counter = seen + 1;
            holders--;
          });
        await Promise.all(Array.from({ length: 12 }, (_, i) => bump(i % 2 === 0 ? fx.ledger : other)));
        assert.equal(counter, 12);
        assert.equal(await fx.ledger.withAccountLock('acct-other', async () => 'free'), 'free');
        await assert.rejects(fx.ledger.withAccountLock('acct-locked', async () => Promise.reject(new Error('work failed'))), /work failed/);
        assert.equal(await other.withAccountLock('acct-locked', async () => 'released after a failure'), 'released after a failure');
      } finally {
        await other.stop();
      }
    });
  });
}
