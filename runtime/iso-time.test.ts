import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoTimeProblem, parseIsoTimeMs } from './iso-time.ts';

describe('ISO 8601 times with a zone', () => {
  it('reads UTC and offset times, with or without seconds and fractions', () => {
    assert.equal(parseIsoTimeMs('2026-11-27T08:00:00Z'), Date.UTC(2026, 10, 27, 8));
    assert.equal(parseIsoTimeMs('2026-11-27T09:00:00+01:00'), Date.UTC(2026, 10, 27, 8));
    assert.equal(parseIsoTimeMs('2026-11-27T08:00Z'), Date.UTC(2026, 10, 27, 8));
    assert.equal(parseIsoTimeMs('2026-11-27T08:00:00.250Z'), Date.UTC(2026, 10, 27, 8, 0, 0, 250));
    assert.equal(parseIsoTimeMs('2028-02-29T00:00:00Z'), Date.UTC(2028, 1, 29));
  });

  it('refuses impossible dates instead of rolling them over', () => {
    assert.match(isoTimeProblem('2026-02-30T00:00:00Z') ?? '', /no day 30 in 2026-02/);
    assert.match(isoTimeProblem('2026-02-29T00:00:00Z') ?? '', /no day 29/);
    assert.match(isoTimeProblem('2026-13-01T00:00:00Z') ?? '', /no month 13/);
    assert.match(isoTimeProblem('2026-04-31T00:00:00Z') ?? '', /no day 31/);
    assert.match(isoTimeProblem('2026-01-01T24:00:00Z') ?? '', /not a time of day/);
  });

  it('refuses a time without a zone, and a date alone', () => {
    assert.match(isoTimeProblem('2026-11-27T08:00:00') ?? '', /no zone/);
    assert.match(isoTimeProblem('2026-11-27') ?? '', /date alone/);
  });

  it('refuses other texts', () => {
    for (const text of ['tomorrow', '', '27/11/2026', '2026-11-27T08:00:00 Z', '2026-11-27T08:00:00+0100', ' 2026-11-27T08:00:00Z']) {
      assert.match(isoTimeProblem(text) ?? '', /not an ISO 8601 time/, text);
    }
    assert.throws(() => parseIsoTimeMs('2026-02-30T00:00:00Z'), RangeError);
  });
});
