/**
 * TfL-style rules on the demo feed (examples/demo-feed), amounts written from the
 * published rules and the feed's price list, not from the engine's output:
 * zone 1 2.80, zones 1-2 3.40, zones 1-3 4.20, outside zone 1 2.00, maximum fare 8.50,
 * bus 1.75 (hopper: free buses within 60 minutes of the first touch), bus daily cap
 * 5.25, daily cap 8.10 (04:30 to 04:29), weekly cap 40.70 (Monday to Sunday); child
 * prices are half (bus 0.85, caps 2.55 / 4.05). London is on GMT in November 2026,
 * so the UTC times below are local times. 2026-11-27 is a Friday.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_FEED_DIR, charges, rate, statuses, tap } from './fares-test-fixture.ts';
import { loadFeed } from './load-feed.ts';

const feed = loadFeed(DEMO_FEED_DIR);
type Row = [time: string, stop: string, network: string, direction?: 'in' | 'out', category?: string];

function rated(rows: Row[]) {
  return rate(feed, rows.map(([time, stop, network, direction = 'in', category = '']) => tap(`2026-11-${time}`, stop, network, direction, { category })));
}

const cases: Array<{ rule: string; taps: Row[]; charges: number[]; statuses?: string[] }> = [
  { rule: 'zone 1 to zone 1 costs the zone 1 fare', taps: [['27 09:00', 'riverside', 'metro'], ['27 09:20', 'central', 'metro', 'out']], charges: [280] },
  { rule: 'zone 1 to zone 2 costs the zones 1-2 fare', taps: [['27 09:00', 'central', 'metro'], ['27 09:20', 'market', 'metro', 'out']], charges: [340] },
  { rule: 'zone 3 to zone 1 costs the zones 1-3 fare', taps: [['27 09:00', 'airport', 'metro'], ['27 09:40', 'riverside', 'metro', 'out']], charges: [420] },
  { rule: 'zone 2 to zone 3 avoids zone 1 and costs the outer fare', taps: [['27 09:00', 'market', 'metro'], ['27 09:20', 'airport', 'metro', 'out']], charges: [200] },
  { rule: 'a platform takes its station\'s zone (parent_station)', taps: [['27 09:00', 'market', 'metro'], ['27 09:20', 'central_p1', 'metro', 'out']], charges: [340] },
  { rule: 'a child pays the child fare', taps: [['27 09:00', 'central', 'metro', 'in', 'child'], ['27 09:20', 'market', 'metro', 'out', 'child']], charges: [170] },
  { rule: 'a child bus fare', taps: [['27 09:00', 'park', 'bus', 'in', 'child']], charges: [85] },
  { rule: 'an entry without an exit is an incomplete journey at the maximum fare', taps: [['27 09:00', 'central', 'metro']], charges: [850], statuses: ['incomplete'] },
  { rule: 'an exit without an entry is an incomplete journey at the maximum fare', taps: [['27 09:00', 'central', 'metro', 'out']], charges: [850], statuses: ['incomplete'] },
  {
    rule: 'a second entry before an exit leaves the first journey incomplete',
    taps: [['27 09:00', 'central', 'metro'], ['27 09:30', 'market', 'metro'], ['27 09:50', 'airport', 'metro', 'out']],
    charges: [850, 200],
    statuses: ['incomplete', 'complete'],
  },
  {
    rule: 'an exit more than 180 minutes after the entry is two incomplete journeys',
    taps: [['27 09:00', 'central', 'metro'], ['27 12:01', 'market', 'metro', 'out']],
    charges: [850, 850],
    statuses: ['incomplete', 'incomplete'],
  },
  { rule: 'leaving the entry station within 2 minutes cancels the journey', taps: [['27 09:00', 'central', 'metro'], ['27 09:02', 'central', 'metro', 'out']], charges: [0], statuses: ['cancelled'] },
  { rule: 'the cancel window covers another platform of the same station', taps: [['27 09:00', 'central', 'metro'], ['27 09:01', 'central_p1', 'metro', 'out']], charges: [0], statuses: ['cancelled'] },
  { rule: 'leaving the entry station after 2 minutes is a zone 1 journey', taps: [['27 09:00', 'central', 'metro'], ['27 09:03', 'central', 'metro', 'out']], charges: [280], statuses: ['complete'] },
  {
    rule: 'bus hopper: free buses within 60 minutes of the first touch, not of the previous one',
    taps: [['27 08:00', 'park', 'bus'], ['27 08:50', 'high_street', 'bus'], ['27 09:05', 'bus_station', 'bus'], ['27 09:30', 'park', 'bus'], ['27 10:05', 'park', 'bus'], ['27 10:06', 'park', 'bus']],
    charges: [175, 0, 175, 0, 0, 175],
  },
  { rule: 'the hopper includes a touch at exactly 60 minutes', taps: [['27 08:00', 'park', 'bus'], ['27 09:00', 'park', 'bus']], charges: [175, 0] },
  {
    rule: 'daily cap: the third zones 1-2 journey pays what is left of 8.10, then journeys are free until 04:29',
    taps: [
      ['27 08:00', 'central', 'metro'], ['27 08:30', 'market', 'metro', 'out'],
      ['27 12:00', 'market', 'metro'], ['27 12:30', 'central', 'metro', 'out'],
      ['27 18:00', 'central', 'metro'], ['27 18:30', 'market', 'metro', 'out'],
      ['28 04:00', 'market', 'metro'], ['28 04:29', 'central', 'metro', 'out'],
      ['28 04:30', 'central', 'metro'], ['28 04:50', 'market', 'metro', 'out'],
    ],
    charges: [340, 340, 130, 0, 340],
  },
  {
    rule: 'maximum fares are outside the cap: charged in full and not counted towards it',
    taps: [
      ['27 08:00', 'central', 'metro'], ['27 08:30', 'market', 'metro', 'out'],
      ['27 12:00', 'market', 'metro'], ['27 12:30', 'central', 'metro', 'out'],
      ['27 14:00', 'central', 'metro'],
      ['27 18:00', 'central', 'metro'], ['27 18:30', 'market', 'metro', 'out'],
      ['27 20:00', 'central', 'metro', 'out'],
    ],
    charges: [340, 340, 850, 130, 850],
    statuses: ['complete', 'complete', 'incomplete', 'complete', 'incomplete'],
  },
  {
    rule: 'bus-only cap: buses stop costing at 5.25, and bus spending counts towards the all-mode cap',
    taps: [['27 07:00', 'park', 'bus'], ['27 09:00', 'park', 'bus'], ['27 11:00', 'park', 'bus'], ['27 13:00', 'park', 'bus'], ['27 15:00', 'central', 'metro'], ['27 15:30', 'market', 'metro', 'out']],
    charges: [175, 175, 175, 0, 285],
  },
  {
    rule: 'a child reaches the child daily cap of 4.05',
    taps: [
      ['27 08:00', 'central', 'metro', 'in', 'child'], ['27 08:30', 'airport', 'metro', 'out', 'child'],
      ['27 12:00', 'airport', 'metro', 'in', 'child'], ['27 12:30', 'central', 'metro', 'out', 'child'],
    ],
    charges: [210, 195],
  },
];

describe('TfL-style fares on the demo feed', () => {
  for (const example of cases) {
    it(example.rule, () => {
      const rating = rated(example.taps);
      assert.deepEqual(charges(rating), example.charges);
      if (example.statuses) assert.deepEqual(statuses(rating), example.statuses);
      assert.equal(rating.totalMinor, example.charges.reduce((a, b) => a + b, 0));
    });
  }

  it('weekly cap: Monday to Saturday at the daily cap reach 40.70 on Saturday; the next Monday starts again', () => {
    const days = ['23', '24', '25', '26', '27', '28', '29', '30'];
    const rows: Row[] = days.flatMap((day): Row[] => [
      [`${day} 08:00`, 'central', 'metro'], [`${day} 08:30`, 'airport', 'metro', 'out'],
      [`${day} 17:00`, 'airport', 'metro'], [`${day} 17:30`, 'central', 'metro', 'out'],
    ]);
    const rating = rated(rows);
    // 8.10 a day from Monday to Friday = 40.50; Saturday has 0.20 left; Sunday nothing; Monday the 30th is a new week.
    assert.deepEqual(rating.days.map((day) => day.totalMinor), [810, 810, 810, 810, 810, 20, 0, 810]);
    assert.ok(rating.legs[11]!.explain.some((line) => /weekly cap/.test(line)));
  });

  it('explains the leg rule and every cap that changed the amount, and keeps unknown stops as unrated legs', () => {
    const rating = rated([['27 07:00', 'park', 'bus'], ['27 09:00', 'park', 'bus'], ['27 11:00', 'park', 'bus'], ['27 13:00', 'park', 'bus'], ['27 14:00', 'nowhere', 'metro']]);
    assert.match(rating.legs[0]!.explain[0]!, /Bus single for Adult, 1\.75 GBP \(fare rule on line 11 of fare_leg_rules\.txt\)/);
    assert.match(rating.legs[3]!.explain[1]!, /Bus daily cap .*already reached/);
    assert.equal(rating.legs[4]!.status, 'unrated');
    assert.match(rating.legs[4]!.explain[0]!, /Stop "nowhere" is not in the fare feed/);
  });
});
