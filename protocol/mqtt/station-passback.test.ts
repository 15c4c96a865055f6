import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MessageError } from './messages.ts';
import { encodePassbackShare, MAX_SHARED_ENTRIES, parsePassbackShare, passbackKey } from './station-passback.ts';
import { topics } from './topics.ts';

const KEY = Buffer.alloc(32, 7);
const TICKET = '00112233445566778899aabbccddeeff';

describe('station passback share', () => {
  test('the keyed hash is 32 hex characters, stable for one key and different under another', () => {
    const key = passbackKey(KEY, TICKET);
    assert.match(key, /^[0-9a-f]{32}$/);
    assert.equal(passbackKey(KEY, TICKET), key);
    assert.notEqual(passbackKey(Buffer.alloc(32, 8), TICKET), key);
    assert.ok(!key.includes(TICKET.slice(0, 8)), 'the id does not show through');
  });

  test('round-trips a share and names the field of a bad one', () => {
    const share = { v: 1 as const, device: 'gate-1', station: 'central', entries: [{ key: passbackKey(KEY, TICKET), at: 1_767_225_600, single: true }] };
    assert.deepEqual(parsePassbackShare(encodePassbackShare(share)), share);
    assert.throws(() => parsePassbackShare('{"v":1,"device":"gate-1","station":"central","entries":[{"key":"' + TICKET.slice(0, 30) + '","at":1,"single":true}]}'), (error: Error) => error instanceof MessageError && /\/entries\/0\/key/.test(error.message));
    assert.throws(() => parsePassbackShare('not json'), /passback share: not JSON/);
    const request = { v: 1 as const, device: 'gate-2', station: 'central', entries: [], syncSince: 1_767_222_000 };
    assert.deepEqual(parsePassbackShare(encodePassbackShare(request)), request);
    const tooMany = { ...share, entries: Array.from({ length: MAX_SHARED_ENTRIES + 1 }, () => share.entries[0]!) };
    assert.throws(() => parsePassbackShare(encodePassbackShare(tooMany)), /entries/);
  });

  test('the station topic is one level per station and refuses wildcards', () => {
    assert.equal(topics.stationPassback('central'), 'faregate/v1/stations/central/passback');
    assert.throws(() => topics.stationPassback('a/b'), /invalid station id/);
    assert.throws(() => topics.stationPassback('+'), /invalid station id/);
  });
});
