import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../runtime/cli/args.ts';
import { parseDurationSeconds, parseValidity } from './validity-options.ts';

const NOW = 1_795_000_000;

describe('keys issue validity window', () => {
  it('reads durations in seconds, minutes, hours and days', () => {
    assert.equal(parseDurationSeconds('90s', 'valid-for'), 90);
    assert.equal(parseDurationSeconds('15m', 'valid-for'), 900);
    assert.equal(parseDurationSeconds('2h', 'valid-for'), 7200);
    assert.equal(parseDurationSeconds('1d', 'valid-for'), 86_400);
  });

  it('refuses a duration without a unit, zero, negative, fractional or spelled out, naming the option', () => {
    for (const bad of ['2', '0h', '-1d', '1.5h', '2 hours', 'h', '']) {
      assert.throws(() => parseDurationSeconds(bad, 'valid-for'), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /^--valid-for: ".*" is not a duration/);
        return true;
      });
    }
  });

  it('starts a relative window now when --from is absent, and at --from when given', () => {
    assert.deepEqual(parseValidity({ validFor: '2h' }, NOW + 0.7), { validFrom: NOW, validUntil: NOW + 7200 });
    const from = Date.parse('2026-12-01T00:00:00Z') / 1000;
    assert.deepEqual(parseValidity({ from: '2026-12-01T00:00:00Z', validFor: '1d' }, NOW), { validFrom: from, validUntil: from + 86_400 });
  });

  it('takes --until as before, and wants exactly one of --until and --valid-for', () => {
    const until = Date.parse('2026-12-02T00:00:00Z') / 1000;
    assert.deepEqual(parseValidity({ from: '2026-12-01T00:00:00Z', until: '2026-12-02T00:00:00Z' }, NOW), { validFrom: until - 86_400, validUntil: until });
    assert.throws(() => parseValidity({ validFor: '1d', until: '2026-12-02T00:00:00Z' }, NOW), /exactly one of --until and --valid-for/);
    assert.throws(() => parseValidity({ from: '2026-12-01T00:00:00Z' }, NOW), /exactly one of --until and --valid-for/);
  });
});
