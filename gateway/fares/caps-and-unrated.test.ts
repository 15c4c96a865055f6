/**
 * Edge rules of charging: a negative type-2 leg under a cap, caps per rider category,
 * and taps that cannot be priced becoming unrated legs with their reason.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { charges, DEMO_FEED_DIR, rate, ruleFeed, statuses, tap } from './fares-test-fixture.ts';
import { loadFeed } from './load-feed.ts';

describe('a negative type-2 leg under a cap', () => {
  // Rail 2.00, bus 1.00, bus→rail together 0.80 (type 2), daily cap 2.50 on both.
  const feed = ruleFeed({
    products: 'fare_product_id,fare_product_name,amount,currency\nrail,Rail,2.00,GBP\nbus,Bus,1.00,GBP\ncombo,Bus and rail,0.80,GBP\ncap,Day cap,2.50,GBP',
    legRules: 'leg_group_id,network_id,fare_product_id\nrail,rail,rail\nbus,bus,bus',
    transferRules: 'from_leg_group_id,to_leg_group_id,fare_transfer_type,fare_product_id\nbus,rail,2,combo',
    policy: { caps: [{ cap_id: 'day', networks: ['rail', 'bus'], period: 'service_day', fare_product_id: 'cap' }] },
  });

  it('refunds at most what the cap let the earlier legs charge: the day costs the cap, 2.50', () => {
    // Rail 2.00; bus 1.00 capped to 0.50; rail after the bus makes that journey 0.80, i.e. −0.20,
    // but the bus was only charged 0.50 of its 1.00, so nothing is refunded. Uncapped: 2.00 + 0.80 = 2.80 → 2.50.
    const rating = rate(feed, [tap('2026-11-27 08:00', 'A', 'rail'), tap('2026-11-27 09:00', 'A', 'bus'), tap('2026-11-27 09:10', 'C', 'rail')]);
    assert.deepEqual(rating.legs.map((leg) => leg.baseMinor), [200, 100, -20]);
    assert.deepEqual(charges(rating), [200, 50, 0]);
    assert.equal(rating.totalMinor, 250);
  });

  it('without a cap the negative leg is charged as it is: the journey costs 0.80', () => {
    const rating = rate(feed, [tap('2026-11-27 09:00', 'A', 'bus'), tap('2026-11-27 09:10', 'C', 'rail')]);
    assert.deepEqual(charges(rating), [100, -20]);
    assert.equal(rating.subJourneys[0]!.costMinor, 80);
  });
});

describe('unrated legs', () => {
  const feed = loadFeed(DEMO_FEED_DIR);
  const cases: Array<[string, Parameters<typeof tap>, RegExp]> = [
    ['an unknown stop', ['2026-11-27 09:00', 'atlantis', 'metro'], /Stop "atlantis" is not in the fare feed/],
    ['an unknown network', ['2026-11-27 09:00', 'central', 'ferry'], /Network "ferry" is not in the fare feed/],
    ['a route with no network', ['2026-11-27 09:00', 'park', '', 'in', { route: 'b9' }], /Route "b9" has no network in the fare feed/],
    ['an unknown rider category', ['2026-11-27 09:00', 'park', 'bus', 'in', { category: 'senior' }], /Rider category "senior" is not in the fare feed/],
    ['an exit on a tap-on-only network', ['2026-11-27 09:00', 'park', 'bus', 'out'], /An exit tap on Buses, where only entry taps are used/],
  ];
  for (const [name, args, reason] of cases) {
    it(`keeps ${name} as an unrated leg at no charge, with the reason`, () => {
      const rating = rate(feed, [tap(...args)]);
      assert.deepEqual(statuses(rating), ['unrated']);
      assert.deepEqual(charges(rating), [0]);
      assert.match(rating.legs[0]!.explain[0]!, reason);
      assert.equal(rating.legs[0]!.tapRefs.length, 1);
    });
  }

  it('takes the network of a route when the tap gives no network', () => {
    assert.deepEqual(charges(rate(feed, [tap('2026-11-27 09:00', 'park', '', 'in', { route: 'b1' })])), [175]);
  });
});
