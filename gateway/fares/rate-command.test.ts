/** The what-if `rate` command as a user runs it: JSON lines, a table, --out, and bad input (exit 2, every problem, no stack). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../runtime/testing/run-cli.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { DEMO_FEED_DIR } from './fares-test-fixture.ts';

const DEMO_TAPS = new URL('./examples/demo-taps.csv', import.meta.url).pathname;
const gateway = (...args: string[]) => runCli('gateway/cli.ts', args);

describe('gateway rate', () => {
  it('prints the contract JSON lines: every leg, then day totals, then account totals', () => {
    const result = gateway('rate', '--feed', DEMO_FEED_DIR, '--taps', DEMO_TAPS, '--json');
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const types = lines.map((line) => line.type);
    assert.deepEqual(types, [...Array(11).fill('leg'), 'day', 'day', 'day', 'account', 'account', 'account']);
    assert.deepEqual(Object.keys(lines[0]!), ['type', 'account', 'network', 'from_stop', 'to_stop', 'start', 'end', 'service_day', 'status', 'fare_product_id', 'base_minor', 'charge_minor', 'currency', 'explain']);
    assert.deepEqual(lines[3], {
      type: 'leg', account: 'acct-commuter', network: 'metro', from_stop: 'central', to_stop: 'market', start: '2026-11-27T08:02:00.000Z', end: '2026-11-27T08:31:00.000Z',
      service_day: '2026-11-27', status: 'complete', fare_product_id: 'metro_12', base_minor: 340, charge_minor: 340, currency: 'GBP',
      explain: ['Metro from Central (Zone 1) to Market (Zone 2): Metro single zones 1-2 for Adult, 3.40 GBP (fare rule on line 3 of fare_leg_rules.txt)'],
    });
    // Child: bus 0.85 + incomplete 4.25 + zone 1 1.40; commuter: daily cap 8.10; the unknown stop is an unrated leg.
    assert.deepEqual(lines.slice(14), [
      { type: 'account', account: 'acct-child', total_minor: 650, currency: 'GBP' },
      { type: 'account', account: 'acct-commuter', total_minor: 810, currency: 'GBP' },
      { type: 'account', account: 'acct-visitor', total_minor: 0, currency: 'GBP' },
    ]);
    assert.equal(lines[10]!.status, 'unrated');
  });

  it('writes a readable table to --out', async (t) => {
    const { dir, remove } = await makeTempDir('faregate-rate-');
    t.after(remove);
    const out = join(dir, 'charges.txt');
    const result = gateway('rate', '--feed', DEMO_FEED_DIR, '--taps', DEMO_TAPS, '--out', out);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '');
    const table = readFileSync(out, 'utf8');
    assert.match(table, /Account acct-commuter/);
    assert.match(table, /Riverside → Riverside +cancelled +0\.00 +0\.00/);
    assert.match(table, /total: 8\.10/);
  });

  it('lists every problem of a bad feed and exits 2 without a stack trace', async (t) => {
    const { dir, remove } = await makeTempDir('faregate-feed-');
    t.after(remove);
    cpSync(DEMO_FEED_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'fare_leg_rules.txt'), 'network_id,fare_product_id\nmetro,nothing\ntram,metro_1\n');
    writeFileSync(join(dir, 'fare_policy.json'), '{"service_day_start": "25:00", "caps": [{"cap_id": "x", "networks": [], "period": "week", "fare_product_id": "cap_day"}]}');
    const result = gateway('rate', '--feed', dir, '--taps', DEMO_TAPS);
    assert.equal(result.status, 2);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    for (const expected of [
      'fare_leg_rules.txt:2 fare_product_id: fare product "nothing" is not in fare_products.txt',
      'fare_leg_rules.txt:3 network_id: "tram" is not in routes.txt or networks.txt',
      'fare_policy.json $.caps[0].networks: must list at least one network',
      'fare_policy.json $.service_day_start: must be a local time "HH:MM" from 00:00 to 23:59',
    ]) assert.ok(result.stderr.includes(expected), `${expected}\nin\n${result.stderr}`);
  });

  it('lists every problem of a bad taps file and exits 2', async (t) => {
    const { dir, remove } = await makeTempDir('faregate-taps-');
    t.after(remove);
    const taps = join(dir, 'taps.csv');
    writeFileSync(taps, 'time,account,stop,network,direction\n2026-11-27 08:00,a,central,metro,in\n2026-11-27T08:00:00Z,,central,metro,sideways\n2026-02-30T08:00:00Z,b,central,metro,in\n');
    const result = gateway('rate', '--feed', DEMO_FEED_DIR, '--taps', taps);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /4 problems/);
    assert.ok(result.stderr.includes(`${taps}:2 time: "2026-11-27 08:00" is not an ISO 8601 time with an offset or Z`));
    assert.ok(result.stderr.includes(`${taps}:4 time: "2026-02-30T08:00:00Z" is not an ISO 8601 time with an offset or Z (e.g. 2026-11-27T08:00:00Z): there is no day 30 in 2026-02`), result.stderr);
    assert.ok(result.stderr.includes(`${taps}:3 direction: "sideways" is not "in" or "out"`));
    assert.ok(result.stderr.includes(`${taps}:3 account: is required`));
  });

  it('names a missing feed directory and missing options', () => {
    assert.match(gateway('rate', '--feed', '/nonexistent/feed', '--taps', DEMO_TAPS).stderr, /\/nonexistent\/feed: cannot read the feed directory \(ENOENT\)/);
    const missing = gateway('rate', '--feed', DEMO_FEED_DIR);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--taps is required/);
  });
});
