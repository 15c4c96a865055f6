/** Rating many accounts: all at once, one at a time, or streamed in account order. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEMO_FEED_DIR } from './fares-test-fixture.ts';
import { loadFeed } from './load-feed.ts';
import { parseTapsCsv } from './read-taps-csv.ts';
import { forEachAccountInOrder, rateTaps } from './rate-taps.ts';
import type { AccountRating } from './rating.ts';

const feed = loadFeed(DEMO_FEED_DIR);
const taps = parseTapsCsv(readFileSync(new URL('./examples/demo-taps.csv', import.meta.url), 'utf8'), 'demo-taps.csv');

describe('rating many accounts', () => {
  it('streamed in account order, gives what rating everything at once gives', () => {
    const grouped = [...taps].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
    const streamed: AccountRating[] = [];
    forEachAccountInOrder(feed, grouped, (rating) => streamed.push(rating));
    assert.deepEqual(streamed, rateTaps(feed, taps).accounts);
    assert.deepEqual(streamed.map((rating) => rating.account), ['acct-child', 'acct-commuter', 'acct-visitor']);
  });

  it('refuses a stream whose accounts are not grouped, rather than rating an account twice', () => {
    assert.throws(() => forEachAccountInOrder(feed, [...taps.slice(1), taps[0]!], () => undefined), /the taps of account "acct-commuter" are not together/);
  });
});
