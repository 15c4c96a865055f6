/**
 * GTFS fare_leg_rules.txt matching: rule_priority (only the highest matching priority
 * applies), the two meanings of an empty field (any value with rule_priority; every
 * value not named in the column without it), unknown arrivals, and timeframes with
 * service days in local time across a daylight-saving change.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { charges, rate, ruleFeed, statuses, tap } from './fares-test-fixture.ts';

const PRODUCTS = `fare_product_id,fare_product_name,amount,currency
general,General fare,3.00,GBP
a_to_c,A to C,2.00,GBP
bus_flat,Bus,1.00,GBP
peak,Peak fare,3.00,GBP
off_peak,Off-peak fare,2.00,GBP
rail_max,Rail maximum,6.00,GBP`;
const TAP_OUT = { tap_out: [{ network_id: 'rail', incomplete_fare_product_id: 'rail_max', max_journey_minutes: 180 }] };
const journey = (from: string, to: string, at = '2026-11-27 09:00', out = '2026-11-27 09:30') => [tap(at, from, 'rail', 'in'), tap(out, to, 'rail', 'out')];

describe('rule_priority', () => {
  const feed = ruleFeed({
    products: PRODUCTS,
    legRules: 'network_id,from_area_id,to_area_id,fare_product_id,rule_priority\nrail,,,general,1\nrail,a,c,a_to_c,2\n,,,bus_flat,0',
    policy: TAP_OUT,
  });
  it('applies only the highest-priority matching rule (A to C: 2.00, not the general 3.00)', () => {
    assert.deepEqual(charges(rate(feed, journey('A', 'C'))), [200]);
  });
  it('falls back to the next priority where the specific rule does not match, even over a cheaper lower-priority rule (C to A: 3.00)', () => {
    assert.deepEqual(charges(rate(feed, journey('C', 'A'))), [300]);
  });
  it('an empty network_id matches any network when rule_priority exists (bus: 1.00)', () => {
    assert.deepEqual(charges(rate(feed, [tap('2026-11-27 09:00', 'A', 'bus')])), [100]);
  });
});

describe('empty fields without rule_priority mean "every value not named in the column"', () => {
  const feed = ruleFeed({ products: PRODUCTS, legRules: 'network_id,from_area_id,to_area_id,fare_product_id\nrail,a,c,a_to_c\nrail,,,general', policy: TAP_OUT });
  it('A to C matches the named rule only', () => {
    assert.deepEqual(charges(rate(feed, journey('A', 'C'))), [200]);
  });
  it('A to B matches nothing: area a is named in from_area_id, so the empty rule excludes it', () => {
    const rating = rate(feed, journey('A', 'B'));
    assert.deepEqual(statuses(rating), ['unrated']);
    assert.match(rating.legs[0]!.explain[0]!, /No fare rule covers this journey/);
  });
  it('C to A matches the empty rule: c is not named in from_area_id, a is not named in to_area_id', () => {
    assert.deepEqual(charges(rate(feed, journey('C', 'A'))), [300]);
  });
});

describe('tap-on-only legs', () => {
  it('match only rules with an empty to_area_id, since the arrival is unknown', () => {
    const feed = ruleFeed({ products: PRODUCTS, legRules: 'network_id,from_area_id,to_area_id,fare_product_id,rule_priority\nbus,a,c,a_to_c,1\nbus,a,,general,0' });
    assert.deepEqual(charges(rate(feed, [tap('2026-11-27 09:00', 'A', 'bus')])), [300]);
  });
});

describe('timeframes', () => {
  const feed = ruleFeed({
    products: PRODUCTS,
    legRules: 'network_id,from_timeframe_group_id,fare_product_id\nbus,peak,peak\nbus,,off_peak',
    extra: {
      'timeframes.txt': 'timeframe_group_id,start_time,end_time,service_id\npeak,07:00:00,10:00:00,weekdays\npeak,16:00:00,19:00:00,weekdays',
      'calendar.txt': 'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nweekdays,1,1,1,1,1,0,0,20260101,20271231',
      'calendar_dates.txt': 'service_id,date,exception_type\nweekdays,20261225,2',
    },
  });
  const cases: Array<[string, string, number]> = [
    ['Friday 08:00 is peak', '2026-11-27T08:00:00Z', 300],
    ['Friday 10:00 is off-peak (end_time is excluded)', '2026-11-27T10:00:00Z', 200],
    ['Friday 06:59 is off-peak', '2026-11-27T06:59:00Z', 200],
    ['Saturday 08:00 is off-peak (service does not run)', '2026-11-28T08:00:00Z', 200],
    ['Christmas Day (a Friday removed in calendar_dates) is off-peak', '2026-12-25T08:00:00Z', 200],
    ['after the change to summer time, 07:30 local is 06:30 UTC: peak', '2026-03-30T06:30:00Z', 300],
    ['after the change to summer time, 06:30 local is 05:30 UTC: off-peak', '2026-03-30T05:30:00Z', 200],
  ];
  for (const [name, time, expected] of cases) {
    it(name, () => assert.deepEqual(charges(rate(feed, [tap(time, 'A', 'bus')])), [expected]));
  }
});
