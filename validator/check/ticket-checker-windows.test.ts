/** Every time window of ticket-format.md, exactly at each edge and one second either side. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CHECK_SETTINGS, MAX_CODE_WINDOW_SECONDS } from '../../protocol/bundles/check-settings.ts';
import type { RejectReason } from '../../protocol/ticket/reasons.ts';
import { DAY, HOUR, KEY_AGE, KEY_LIFE_LEFT, NOW, TicketFixture } from './test-fixtures.ts';
import type { Direction } from './ticket-checker.ts';

type Outcome = RejectReason | 'ok';
const { skewSeconds: SKEW, codeWindowSeconds: WINDOW, exitGraceSeconds: GRACE, passbackSeconds: PASSBACK } =
  DEFAULT_CHECK_SETTINGS;

const fx = new TicketFixture();

/** Checks `text` (with a fresh checker each time) one second before, at, and one second after `edge`. */
function expectEdge(text: string, edge: number, expected: [Outcome, Outcome, Outcome], direction: Direction = 'entry'): void {
  const seen = [edge - 1, edge, edge + 1].map((at) => fx.checkFresh(text, at, { direction }).reason);
  assert.deepEqual(seen, expected);
}

describe('time windows at their edges (defaults: skew 5 s, code window 30 s, exit grace 2 h, passback 10 min)', () => {
  test('the defaults are the ones ticket-format.md names', () => {
    assert.deepEqual(
      { SKEW, WINDOW, GRACE, PASSBACK },
      { SKEW: 5, WINDOW: 30, GRACE: 120 * 60, PASSBACK: 10 * 60 },
    );
  });

  test('not_yet_valid before nbf - skew, valid from nbf - skew on', () => {
    const nbf = NOW + HOUR;
    const ticket = fx.ticket({ nbf, exp: nbf + DAY, iat: NOW });
    expectEdge(ticket.text, nbf - SKEW, ['not_yet_valid', 'ok', 'ok']);
  });

  test('valid before exp + skew, expired from exp + skew on (entry gate)', () => {
    const exp = NOW + HOUR;
    const ticket = fx.ticket({ exp });
    expectEdge(ticket.text, exp + SKEW, ['ok', 'expired', 'expired']);
  });

  test('at an exit gate, valid before exp + skew + exit grace, expired from then on', () => {
    const exp = NOW + HOUR;
    const ticket = fx.ticket({ exp });
    expectEdge(ticket.text, exp + SKEW + GRACE, ['ok', 'expired', 'expired'], 'exit');
    expectEdge(ticket.text, exp + SKEW, ['ok', 'ok', 'ok'], 'exit');
  });

  test('a rotating code is code_expired before t - skew, valid from t - skew on', () => {
    const madeAt = NOW + 100;
    const { code } = fx.holderTicket({}, madeAt);
    expectEdge(code, madeAt - SKEW, ['code_expired', 'ok', 'ok']);
  });

  test('a rotating code is valid before t + window + skew, code_expired from then on', () => {
    const madeAt = NOW + 100;
    const { code } = fx.holderTicket({}, madeAt);
    expectEdge(code, madeAt + WINDOW + SKEW, ['ok', 'code_expired', 'code_expired']);
  });

  test('a rotating code at an exit gate keeps the same code window', () => {
    const madeAt = NOW;
    const { code } = fx.holderTicket({}, madeAt);
    expectEdge(code, madeAt + WINDOW + SKEW, ['ok', 'code_expired', 'code_expired'], 'exit');
  });

  test('the key must be valid at iat: key_not_valid before its nbf, valid from it on', () => {
    const keyStart = NOW - KEY_AGE;
    const seen = [keyStart - 1, keyStart, keyStart + 1].map(
      (iat) => fx.checkFresh(fx.ticket({ iat, nbf: NOW - HOUR }).text).reason,
    );
    assert.deepEqual(seen, ['key_not_valid', 'ok', 'ok']);
  });

  test('the key must be valid at iat: valid before its exp, key_not_valid from it on', () => {
    const keyEnd = NOW + KEY_LIFE_LEFT;
    assert.equal(fx.issuers[0]!.notAfter, keyEnd);
    const seen = [keyEnd - 1, keyEnd, keyEnd + 1].map(
      (iat) => fx.checkFresh(fx.ticket({ iat, nbf: NOW - HOUR }).text).reason,
    );
    assert.deepEqual(seen, ['ok', 'key_not_valid', 'key_not_valid']);
  });

  test('the key must be valid at nbf when iat is absent, at both ends', () => {
    const keyStart = NOW - KEY_AGE;
    const keyEnd = NOW + KEY_LIFE_LEFT;
    const at = (nbf: number) => fx.checkFresh(fx.ticket({ iat: undefined, nbf, exp: keyEnd + DAY, prd: 'account' }).text, Math.max(nbf, NOW)).reason;
    assert.deepEqual([keyStart - 1, keyStart, keyStart + 1].map(at), ['key_not_valid', 'ok', 'ok']);
    assert.deepEqual([keyEnd - 1, keyEnd, keyEnd + 1].map(at), ['ok', 'key_not_valid', 'key_not_valid']);
  });

  test('anti-passback at the same station: passback before entry + passback time, allowed from then on', () => {
    const ticket = fx.ticket({ prd: 'day' });
    const seen = [PASSBACK - 1, PASSBACK, PASSBACK + 1].map((after) => {
      fx.freshChecker();
      assert.equal(fx.check(ticket.text, NOW).reason, 'ok');
      return fx.check(ticket.text, NOW + after).reason;
    });
    assert.deepEqual(seen, ['passback', 'ok', 'ok']);
  });
});

describe('time windows follow the fare settings', () => {
  test('a zero skew makes nbf and exp exact', () => {
    const fixture = new TicketFixture({ skewSeconds: 0 });
    const nbf = NOW + HOUR;
    const exp = nbf + HOUR;
    const text = fixture.ticket({ nbf, exp, iat: NOW }).text;
    const at = (seconds: number) => fixture.checkFresh(text, seconds, {}, true).reason;
    assert.deepEqual([nbf - 1, nbf, exp - 1, exp].map(at), ['not_yet_valid', 'ok', 'ok', 'expired']);
  });

  test('new settings apply from the next decision on', () => {
    const fixture = new TicketFixture();
    const exp = NOW + HOUR;
    const text = fixture.ticket({ exp }).text;
    const checker = fixture.freshChecker();
    const exit = { station: 'central', zone: 1, mode: 'metro', direction: 'exit' } as const;
    assert.equal(checker.check(text, exit, { seconds: exp + 10, trusted: true }).reason, 'ok');
    checker.updateSettings({ ...DEFAULT_CHECK_SETTINGS, exitGraceSeconds: 0, skewSeconds: 10 });
    assert.equal(checker.check(text, exit, { seconds: exp + 9, trusted: true }).reason, 'ok');
    assert.equal(checker.check(text, exit, { seconds: exp + 10, trusted: true }).reason, 'expired');
  });

  test('a code window configured over 60 s is held to 60 s (ticket-format.md: at most 60 s)', () => {
    const fixture = new TicketFixture({ codeWindowSeconds: 3600 });
    const madeAt = NOW;
    const { code } = fixture.holderTicket({}, madeAt);
    const edge = madeAt + MAX_CODE_WINDOW_SECONDS + SKEW;
    const seen = [edge - 1, edge, edge + 1].map((at) => fixture.checkFresh(code, at).reason);
    assert.deepEqual(seen, ['ok', 'code_expired', 'code_expired']);
  });

  test('a shorter code window is honoured', () => {
    const fixture = new TicketFixture({ codeWindowSeconds: 10, skewSeconds: 2 });
    const { code } = fixture.holderTicket({}, NOW);
    const seen = [NOW + 11, NOW + 12].map((at) => fixture.checkFresh(code, at).reason);
    assert.deepEqual(seen, ['ok', 'code_expired']);
  });
});
