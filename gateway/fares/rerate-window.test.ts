/** What a late tap can change, for clearing: the first service day, where to restart rating, the cap windows. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_FEED_DIR, rate, tap } from './fares-test-fixture.ts';
import { loadFeed } from './load-feed.ts';
import { rerateWindow } from './rerate-window.ts';

const feed = loadFeed(DEMO_FEED_DIR);

describe('rerateWindow', () => {
  it('reaches back max_journey_minutes for pairing, and restarts at the Monday service day with a weekly cap', () => {
    const window = rerateWindow(feed, tap('2026-11-27 09:00', 'market', 'metro', 'out'));
    assert.equal(window.changesFrom, Date.parse('2026-11-27T06:00:00Z'));
    assert.equal(window.firstServiceDay, '2026-11-27');
    assert.equal(window.rateFrom, Date.parse('2026-11-23T04:30:00Z'));
    assert.deepEqual(window.capWindows.map((w) => [w.capId, new Date(w.from).toISOString(), new Date(w.until).toISOString()]), [
      ['bus_day', '2026-11-27T04:30:00.000Z', '2026-11-28T04:30:00.000Z'],
      ['all_day', '2026-11-27T04:30:00.000Z', '2026-11-28T04:30:00.000Z'],
      ['all_week', '2026-11-23T04:30:00.000Z', '2026-11-30T04:30:00.000Z'],
    ]);
  });

  it('a late tap just after 04:30 can change the previous service day (an entry before 04:30 pairs with it)', () => {
    assert.equal(rerateWindow(feed, tap('2026-11-27 05:00', 'market', 'metro', 'out')).firstServiceDay, '2026-11-26');
  });

  it('moves the restart earlier while a journey or sub-journey of the previous rating is open across it', () => {
    // Sunday night buses in one hopper, across the Monday 04:30 week boundary.
    const previous = rate(feed, [tap('2026-11-30 04:00', 'park', 'bus'), tap('2026-11-30 04:45', 'park', 'bus')]);
    const window = rerateWindow(feed, tap('2026-11-30 10:00', 'park', 'bus'), previous);
    assert.equal(window.rateFrom, Date.parse('2026-11-30T04:00:00Z'));
  });
});
