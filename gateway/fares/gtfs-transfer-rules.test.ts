/**
 * GTFS fare_transfer_rules.txt, amounts from the reference's definitions: type 0 is
 * A + AB, type 1 is A + AB + B, type 2 is AB; transfer_count picks the smallest count
 * that admits the transfer (−1 unlimited); duration_limit_type 0–3 measure departure
 * or arrival of the current leg to departure or arrival of the next, and (the
 * contract) the current leg is the sub-journey's first. Rail legs have exit taps.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { charges, rate, ruleFeed, tap } from './fares-test-fixture.ts';

const PRODUCTS = `fare_product_id,fare_product_name,amount,currency
rail_single,Rail single,2.00,GBP
rail_max,Rail maximum,6.00,GBP
bus_single,Bus single,1.00,GBP
xfer,Transfer supplement,0.50,GBP
xfer_first,First transfer,0.25,GBP
combo,Rail and bus,2.50,GBP
combo_cheap,Rail and bus saver,1.50,GBP`;
const LEG_RULES = `leg_group_id,network_id,fare_product_id
rail,rail,rail_single
bus,bus,bus_single`;
const POLICY = { tap_out: [{ network_id: 'rail', incomplete_fare_product_id: 'rail_max', max_journey_minutes: 180 }] };

function feedWith(transferRules: string) {
  return ruleFeed({ products: PRODUCTS, legRules: LEG_RULES, transferRules: `from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,fare_product_id\n${transferRules}`, policy: POLICY });
}

const day = (hhmm: string): string => `2026-11-27 ${hhmm}`;
const railLeg = (from: string, to: string) => [tap(day(from), 'A', 'rail', 'in'), tap(day(to), 'C', 'rail', 'out')];
const bus = (at: string) => tap(day(at), 'B', 'bus');

describe('GTFS fare transfer types', () => {
  const cases = [
    { type: 0, product: 'xfer', expected: [200, 50], rule: 'A + AB: the bus adds the 0.50 transfer, not its own fare' },
    { type: 1, product: 'xfer', expected: [200, 150], rule: 'A + AB + B: the bus adds its fare and the transfer' },
    { type: 2, product: 'combo', expected: [200, 50], rule: 'AB: the journey costs 2.50, so the bus adds 2.50 − 2.00' },
    { type: 2, product: 'combo_cheap', expected: [200, -50], rule: 'AB below the first fare: the bus leg is negative and the journey costs 1.50' },
    { type: 0, product: '', expected: [200, 0], rule: 'an empty transfer product is a free transfer' },
  ];
  for (const example of cases) {
    it(`type ${example.type} (${example.product || 'no product'}): ${example.rule}`, () => {
      const rating = rate(feedWith(`rail,bus,,,,${example.type},${example.product}`), [...railLeg('08:00', '08:20'), bus('08:30')]);
      assert.deepEqual(charges(rating), example.expected);
      assert.equal(rating.subJourneys.length, 1);
      assert.equal(rating.subJourneys[0]!.costMinor, example.expected[0]! + example.expected[1]!);
      assert.match(rating.legs[1]!.explain[1]!, /transfer rule on line 2 of fare_transfer_rules\.txt/);
    });
  }

  it('does not transfer where no rule links the two leg groups (bus then rail)', () => {
    const rating = rate(feedWith('rail,bus,,,,0,xfer'), [bus('07:50'), ...railLeg('08:00', '08:20')]);
    assert.deepEqual(charges(rating), [100, 200]);
    assert.equal(rating.subJourneys.length, 2);
  });
});

describe('GTFS transfer_count', () => {
  const rules = 'bus,bus,1,,,0,xfer_first\nbus,bus,2,,,0,xfer\nbus,bus,-1,,,0,';
  it('picks the smallest transfer_count that admits each transfer: 1st 0.25, 2nd 0.50, then the unlimited free rule', () => {
    const rating = rate(feedWith(rules), [bus('08:00'), bus('08:10'), bus('08:20'), bus('08:30'), bus('08:40')]);
    assert.deepEqual(charges(rating), [100, 25, 50, 0, 0]);
    assert.equal(rating.subJourneys.length, 1);
  });

  it('starts a new sub-journey when no rule admits another transfer', () => {
    const rating = rate(feedWith('bus,bus,1,,,0,xfer_first'), [bus('08:00'), bus('08:10'), bus('08:20'), bus('08:30')]);
    assert.deepEqual(charges(rating), [100, 25, 100, 25]);
    assert.equal(rating.subJourneys.length, 2);
  });
});

describe('GTFS duration_limit_type (45 minutes, measured from the sub-journey\'s first leg)', () => {
  // [first leg in, first leg out, second leg in, second leg out] and whether each type (0..3) links them.
  const scenarios: Array<{ times: [string, string, string, string]; links: [boolean, boolean, boolean, boolean] }> = [
    { times: ['08:00', '08:20', '08:40', '09:00'], links: [false, true, true, true] }, // 60, 40, 20, 40 minutes
    { times: ['08:00', '08:40', '09:00', '09:30'], links: [false, false, true, false] }, // 90, 60, 20, 50
    { times: ['08:00', '08:30', '08:50', '09:10'], links: [false, false, true, true] }, // 70, 50, 20, 40
    { times: ['08:00', '08:10', '08:15', '08:40'], links: [true, true, true, true] }, // 40, 15, 5, 30
  ];
  for (const type of [0, 1, 2, 3] as const) {
    it(`type ${type}: ${['departure → next arrival', 'departure → next departure', 'arrival → next departure', 'arrival → next arrival'][type]}`, () => {
      const feed = feedWith(`rail,rail,-1,2700,${type},0,`);
      for (const { times, links } of scenarios) {
        const rating = rate(feed, [...railLeg(times[0], times[1]), ...railLeg(times[2], times[3])]);
        assert.deepEqual(charges(rating), [200, links[type] ? 0 : 200], `legs ${times.join(' ')}`);
      }
    });
  }

  it('a limit that needs an arrival does not link a tap-on-only leg, whose arrival is unknown', () => {
    const rating = rate(feedWith('rail,bus,,3600,0,0,'), [...railLeg('08:00', '08:10'), bus('08:15')]);
    assert.deepEqual(charges(rating), [200, 100]);
    const byDeparture = rate(feedWith('rail,bus,,3600,1,0,'), [...railLeg('08:00', '08:10'), bus('08:15')]);
    assert.deepEqual(charges(byDeparture), [200, 0]);
  });

  it('measures a chain of transfers from its first leg, not from the previous one', () => {
    const rating = rate(feedWith('bus,bus,-1,3600,1,0,'), [bus('08:00'), bus('08:40'), bus('09:10'), bus('09:20')]);
    assert.deepEqual(charges(rating), [100, 0, 100, 0]);
  });
});
