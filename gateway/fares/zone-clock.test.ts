/** Local service days and times through Intl, across daylight-saving changes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isoDay, mondayOf, weekdayOf, ZoneClock } from './zone-clock.ts';

const london = new ZoneClock('Europe/London');
const serviceDay = (iso: string): string => isoDay(london.serviceDay(Date.parse(iso), 270));

describe('ZoneClock', () => {
  it('puts 04:29 local in the previous service day and 04:30 in the new one, in winter and in summer', () => {
    assert.equal(serviceDay('2026-11-27T04:29:59Z'), '2026-11-26');
    assert.equal(serviceDay('2026-11-27T04:30:00Z'), '2026-11-27');
    assert.equal(serviceDay('2026-07-10T03:29:00Z'), '2026-07-09'); // 04:29 BST
    assert.equal(serviceDay('2026-07-10T03:30:00Z'), '2026-07-10'); // 04:30 BST
  });

  it('gives the short and the long service day around the clock changes their local bounds', () => {
    // 29 March 2026: clocks go forward at 01:00 UTC; 25 October 2026: back at 01:00 UTC.
    assert.equal(serviceDay('2026-03-29T03:29:00Z'), '2026-03-28'); // 04:29 BST
    assert.equal(serviceDay('2026-03-29T03:30:00Z'), '2026-03-29');
    assert.equal(serviceDay('2026-10-25T04:29:00Z'), '2026-10-24'); // 04:29 GMT
    assert.equal(serviceDay('2026-10-25T04:30:00Z'), '2026-10-25');
    assert.equal(london.secondsOfDay(Date.parse('2026-03-29T00:59:59Z')), 3599);
    assert.equal(london.secondsOfDay(Date.parse('2026-03-29T01:00:00Z')), 7200);
  });

  it('finds the instant of a local time, also across a change', () => {
    const wall = (iso: string): number => Date.parse(`${iso}Z`);
    assert.equal(london.instantOf(wall('2026-07-10T04:30:00')), Date.parse('2026-07-10T03:30:00Z'));
    assert.equal(london.instantOf(wall('2026-10-25T01:30:00')), Date.parse('2026-10-25T00:30:00Z')); // the earlier of the two
    assert.equal(new ZoneClock('Asia/Kolkata').instantOf(wall('2026-11-27T04:30:00')), Date.parse('2026-11-26T23:00:00Z'));
  });

  it('counts weeks from Monday', () => {
    const day = Date.parse('2026-11-27T00:00:00Z') / 86_400_000; // a Friday
    assert.equal(weekdayOf(day), 5);
    assert.equal(isoDay(mondayOf(day)), '2026-11-23');
    assert.equal(isoDay(mondayOf(day + 3)), '2026-11-30');
  });
});
