/**
 * Properties of rating over random taps: re-rating (with a freshly loaded feed) gives
 * the same charges; the order taps arrive in never changes them; no capped period
 * charges more than its cap (incomplete journeys aside); a sub-journey's legs sum to
 * the cost its transfer rules give it, computed here from the rules independently.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { demoFiles, ruleFeed } from './fares-test-fixture.ts';
import { parseFeed } from './load-feed.ts';
import { rateAccount } from './rate-account.ts';
import { rateTaps } from './rate-taps.ts';
import { rerateWindow } from './rerate-window.ts';
import type { Tap } from './tap.ts';

const START = Date.parse('2026-11-23T00:00:00Z');
const STOPS = ['central', 'central_p1', 'riverside', 'market', 'airport', 'park', 'high_street', 'nowhere'];
const ACCOUNTS = ['acct-1', 'acct-2', 'acct-3'];

const tapArb = fc.record({
  minute: fc.integer({ min: 0, max: 14 * 24 * 60 }),
  account: fc.constantFrom(...ACCOUNTS),
  stop: fc.constantFrom(...STOPS),
  network: fc.constantFrom('metro', 'metro', 'bus'),
  direction: fc.constantFrom<'in' | 'out'>('in', 'out'),
});

function toTaps(rows: Array<{ minute: number; account: string; stop: string; network: string; direction: 'in' | 'out' }>): Tap[] {
  return rows.map((row, ref) => ({
    time: START + row.minute * 60_000, account: row.account, stop: row.stop, network: row.network, route: '', direction: row.direction,
    category: row.account === 'acct-3' ? 'child' : '', media: '', ref,
  }));
}

const demo = parseFeed(demoFiles());
const settings = { numRuns: 150 };

describe('rating properties', () => {
  it('re-rating with a freshly loaded feed gives the same legs and charges', () => {
    fc.assert(fc.property(fc.array(tapArb, { maxLength: 60 }), (rows) => {
      const taps = toTaps(rows);
      assert.deepEqual(rateTaps(parseFeed(demoFiles()), taps), rateTaps(demo, taps));
    }), { numRuns: 40 });
  });

  it('re-rating an account from rerateWindow after a late tap gives the charges of rating its whole history', () => {
    const one = tapArb.map((row) => ({ ...row, account: 'acct-1' }));
    fc.assert(fc.property(fc.array(one, { minLength: 1, maxLength: 80 }), one, (rows, lateRow) => {
      const taps = toTaps([...rows, lateRow]);
      const late = taps.pop()!;
      const previous = rateAccount(demo, 'acct-1', taps);
      const window = rerateWindow(demo, late, previous);
      const full = rateAccount(demo, 'acct-1', [...taps, late]);
      const partial = rateAccount(demo, 'acct-1', [...taps, late].filter((tap) => tap.time >= window.rateFrom));
      const from = (legs: typeof full.legs) => legs.filter((leg) => leg.start >= window.changesFrom).map(({ subJourney: _, ...leg }) => leg); // sub-journey indexes count from the first leg rated
      assert.deepEqual(from(partial.legs), from(full.legs));
      const before = (legs: typeof full.legs) => legs.filter((leg) => leg.start < window.changesFrom);
      assert.deepEqual(before(full.legs), before(previous.legs));
    }), settings);
  });

  it('the order taps arrive in never changes the result', () => {
    fc.assert(fc.property(fc.array(tapArb, { maxLength: 80 }).chain((rows) => fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows.map((_, i) => i), { minLength: rows.length }))), ([rows, order]) => {
      const taps = toTaps(rows);
      assert.deepEqual(rateTaps(demo, order.map((i) => taps[i]!)), rateTaps(demo, taps));
    }), settings);
  });

  it('a capped period never charges more than its cap, incomplete journeys aside', () => {
    fc.assert(fc.property(fc.array(tapArb, { maxLength: 120 }), (rows) => {
      for (const account of rateTaps(demo, toTaps(rows)).accounts) {
        for (const window of account.capWindows) {
          const cap = demo.caps.find((c) => c.capId === window.capId)!;
          const category = account.account === 'acct-3' ? 'child' : 'adult';
          const limit = demo.prices.get(cap.fareProductId)!.find((price) => price.riderCategoryId === category)!.amountMinor;
          const charged = account.legs
            .filter((leg) => leg.status === 'complete' && cap.networks.includes(leg.network) && leg.start >= window.from && leg.start < window.until)
            .reduce((sum, leg) => sum + leg.chargeMinor, 0);
          assert.ok(charged <= limit, `${cap.capId} from ${new Date(window.from).toISOString()}: ${charged} > ${limit}`);
          assert.equal(charged, window.spentMinor);
        }
      }
    }), settings);
  });

  // Tap-on rail 2.00 and bus 1.00. bus→bus free within 60 min (type 0); rail→bus adds the
  // bus and 0.50 (type 1); bus→rail makes the whole journey 2.50 (type 2); daily cap 4.00.
  const transfers = ruleFeed({
    products: 'fare_product_id,fare_product_name,amount,currency\nrail,Rail,2.00,GBP\nbus,Bus,1.00,GBP\nxfer,Supplement,0.50,GBP\ncombo,Bus and rail,2.50,GBP\ncap,Cap,4.00,GBP',
    legRules: 'leg_group_id,network_id,fare_product_id\nrail,rail,rail\nbus,bus,bus',
    transferRules: 'from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,fare_product_id\nbus,bus,-1,3600,1,0,\nrail,bus,,3600,1,1,xfer\nbus,rail,,3600,1,2,combo',
    policy: { caps: [{ cap_id: 'day', networks: ['rail', 'bus'], period: 'service_day', fare_product_id: 'cap' }] },
  });
  const ownFare: Record<string, number> = { rail: 200, bus: 100 };

  it('the legs of a sub-journey sum to the cost its transfer rules give it; totals add up', () => {
    const rowArb = fc.record({ minute: fc.integer({ min: 0, max: 24 * 60 }), account: fc.constant('acct'), stop: fc.constantFrom('A', 'C'), network: fc.constantFrom('rail', 'bus'), direction: fc.constant<'in' | 'out'>('in') });
    fc.assert(fc.property(fc.array(rowArb, { maxLength: 40 }), (rows) => {
      for (const account of rateTaps(transfers, toTaps(rows)).accounts) {
        for (const sub of account.subJourneys) {
          const legs = sub.legs.map((i) => account.legs[i]!);
          let cost = ownFare[legs[0]!.network]!;
          for (let i = 1; i < legs.length; i++) {
            const pair = `${legs[i - 1]!.network}>${legs[i]!.network}`;
            cost = pair === 'bus>bus' ? cost : pair === 'rail>bus' ? cost + 50 + 100 : 250;
            assert.notEqual(pair, 'rail>rail', 'no rule links rail to rail');
            assert.ok(legs[i]!.start - legs[0]!.start <= 3_600_000, 'every transfer is within 60 minutes of the first leg');
          }
          assert.equal(legs.reduce((sum, leg) => sum + leg.baseMinor, 0), cost);
          assert.equal(sub.costMinor, cost);
        }
        const charged = account.legs.reduce((sum, leg) => sum + leg.chargeMinor, 0);
        assert.equal(account.totalMinor, charged);
        assert.equal(account.days.reduce((sum, day) => sum + day.totalMinor, 0), charged);
        for (const day of account.days) assert.ok(day.totalMinor <= 400, `${day.serviceDay}: ${day.totalMinor}`);
      }
    }), settings);
  });
});
