/**
 * An OMNY-style cap: 2.90 a ride on subway or bus, and no more than 34.00 in any
 * 7-day window, which opens with the first charged ride that no open window covers
 * (amounts from the rule: 11 rides = 31.90, the 12th pays the 2.10 left).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { charges, rate, ruleFeed, tap } from './fares-test-fixture.ts';

const feed = ruleFeed({
  products: 'fare_product_id,fare_product_name,amount,currency\nride,Ride,2.90,USD\ncap_7d,7-day cap,34.00,USD',
  legRules: 'network_id,fare_product_id\nrail,ride\nbus,ride',
  policy: { timezone: 'America/New_York', caps: [{ cap_id: '7d', networks: ['rail', 'bus'], period: 'rolling', days: 7, fare_product_id: 'cap_7d' }] },
});

describe('rolling 7-day cap', () => {
  it('charges 11 rides in full, the 12th the 2.10 left, then nothing until 7 × 24 h after the first ride', () => {
    // First ride Monday 2026-11-23 08:00 New York (13:00Z): the window runs to Monday 11-30 13:00Z.
    const rides = Array.from({ length: 13 }, (_, i) => tap(new Date(Date.parse('2026-11-23T13:00:00Z') + i * 10 * 3_600_000).toISOString(), 'A', i % 2 ? 'bus' : 'rail'));
    const late = [tap('2026-11-30T12:59:00Z', 'A', 'rail'), tap('2026-11-30T13:00:00Z', 'A', 'rail'), tap('2026-11-30T14:00:00Z', 'A', 'bus')];
    const rating = rate(feed, [...rides, ...late]);
    assert.deepEqual(charges(rating), [...Array(11).fill(290), 210, 0, 0, 290, 290]);
    assert.equal(rating.capWindows.length, 2);
    assert.equal(rating.capWindows[1]!.from, Date.parse('2026-11-30T13:00:00Z'));
  });

  it('a window is opened by the first charge, not by the calendar', () => {
    const rating = rate(feed, [tap('2026-11-25T23:00:00Z', 'A', 'rail'), ...Array.from({ length: 12 }, (_, i) => tap(`2026-11-26T${String(10 + i).padStart(2, '0')}:00:00Z`, 'A', 'rail'))]);
    assert.deepEqual(charges(rating), [...Array(11).fill(290), 210, 0]);
  });
});
