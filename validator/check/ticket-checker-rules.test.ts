/** The order of reasons, anti-passback, exit gates, shared kids and trust updates. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeCbor } from '../../protocol/ticket/cbor.ts';
import { toHex } from '../../protocol/ticket/ed25519.ts';
import { ticketText } from '../../protocol/ticket/ticket-code.ts';
import { DAY, expectReason, HOUR, KEY_AGE, makeKey, NOW, TicketFixture, ticketClaimsMap } from './test-fixtures.ts';

describe('TicketChecker: the order of reasons (the earlier reason wins)', () => {
  const fx = new TicketFixture({ unanchoredClock: 'reject' });
  const expired = { nbf: NOW - 2 * DAY, exp: NOW - DAY };
  const revokedExpired = fx.ticket(expired);
  const revokedWithBadSignature = fx.ticket({}, { issuer: fx.untrusted, kid: fx.issuer.kid });
  const revokedFromUnknownKey = fx.ticket({}, { issuer: fx.untrusted });
  const revokedOutsideKeyWindow = fx.ticket({ iat: NOW - KEY_AGE - 1 });
  const revokedOnUntrustedClock = fx.ticket();
  fx.revoke({
    tickets: [revokedExpired, revokedWithBadSignature, revokedFromUnknownKey, revokedOutsideKeyWindow, revokedOnUntrustedClock].map(
      (ticket) => ticket.claims.cti,
    ),
  });

  test('malformed beats unknown_key: an unknown key\'s ticket with a wrong claim type', () => {
    const text = ticketText(fx.signPayload(encodeCbor(ticketClaimsMap([[4, 'never']])), { issuer: fx.untrusted }));
    expectReason(fx.checkFresh(text), 'malformed');
  });

  test('unknown_key beats revoked', () => {
    expectReason(fx.checkFresh(revokedFromUnknownKey.text), 'unknown_key');
  });

  test('bad_signature beats revoked', () => {
    expectReason(fx.checkFresh(revokedWithBadSignature.text), 'bad_signature');
  });

  test('bad_signature beats key_not_valid', () => {
    const text = fx.ticket({ iat: NOW - KEY_AGE - 1 }, { issuer: fx.untrusted, kid: fx.issuer.kid }).text;
    expectReason(fx.checkFresh(text), 'bad_signature');
  });

  test('key_not_valid beats revoked', () => {
    expectReason(fx.checkFresh(revokedOutsideKeyWindow.text), 'key_not_valid');
  });

  test('revoked beats expired: a revoked and expired ticket is revoked', () => {
    expectReason(fx.checkFresh(revokedExpired.text), 'revoked');
  });

  test('revoked beats clock_untrusted', () => {
    expectReason(fx.checkFresh(revokedOnUntrustedClock.text, NOW, {}, false), 'revoked');
  });

  test('clock_untrusted beats not_yet_valid and expired', () => {
    expectReason(fx.checkFresh(fx.ticket({ nbf: NOW + DAY, exp: NOW + 2 * DAY }).text, NOW, {}, false), 'clock_untrusted');
    expectReason(fx.checkFresh(fx.ticket(expired).text, NOW, {}, false), 'clock_untrusted');
  });

  test('not_yet_valid and expired beat holder_proof_required', () => {
    const early = fx.ticket({ nbf: NOW + DAY, exp: NOW + 2 * DAY }, { holder: fx.holder });
    expectReason(fx.checkFresh(early.text), 'not_yet_valid');
    expectReason(fx.checkFresh(fx.ticket(expired, { holder: fx.holder }).text), 'expired');
  });

  test('expired beats code_expired', () => {
    expectReason(fx.checkFresh(fx.holderTicket(expired, NOW - HOUR).code), 'expired');
  });

  test('holder_proof_required beats wrong_zone', () => {
    expectReason(fx.checkFresh(fx.ticket({ zon: [9] }, { holder: fx.holder }).text), 'holder_proof_required');
  });

  test('expired beats wrong_zone: an expired ticket in the wrong zone is expired', () => {
    expectReason(fx.checkFresh(fx.ticket({ ...expired, zon: [9] }).text), 'expired');
  });

  test('code_expired beats wrong_zone', () => {
    expectReason(fx.checkFresh(fx.holderTicket({ zon: [9] }, NOW - HOUR).code), 'code_expired');
  });

  test('wrong_zone beats wrong_mode, and wrong_mode beats passback', () => {
    const ticket = fx.ticket({ prd: 'single', zon: [9], mod: ['bus'] });
    fx.freshChecker();
    expectReason(fx.check(ticket.text, NOW, { zone: 9, mode: 'bus' }), 'ok');
    expectReason(fx.check(ticket.text, NOW, { zone: 1, mode: 'metro' }), 'wrong_zone');
    expectReason(fx.check(ticket.text, NOW, { zone: 9, mode: 'metro' }), 'wrong_mode');
    expectReason(fx.check(ticket.text, NOW, { zone: 9, mode: 'bus' }), 'passback');
  });
});

describe('TicketChecker: anti-passback', () => {
  const fx = new TicketFixture();

  test('rejects a single ticket used again anywhere, at any later time, as passback', () => {
    const ticket = fx.ticket({ prd: 'single', exp: NOW + 2 * DAY - HOUR });
    fx.freshChecker();
    expectReason(fx.check(ticket.text, NOW, { station: 'central' }), 'ok');
    expectReason(fx.check(ticket.text, NOW + 1, { station: 'central' }), 'passback');
    expectReason(fx.check(ticket.text, NOW + DAY, { station: 'harbour', zone: 2 }), 'passback');
  });

  test('rejects another product entering again at the same station within the anti-passback time as passback', () => {
    for (const prd of ['day', 'period', 'account'] as const) {
      const ticket = fx.ticket({ prd });
      fx.freshChecker();
      expectReason(fx.check(ticket.text, NOW, { station: 'central' }), 'ok', prd);
      expectReason(fx.check(ticket.text, NOW + 60, { station: 'central' }), 'passback', prd);
    }
  });

  test('lets another product enter at a different station straight away', () => {
    const ticket = fx.ticket({ prd: 'day' });
    fx.freshChecker();
    expectReason(fx.check(ticket.text, NOW, { station: 'central' }), 'ok');
    expectReason(fx.check(ticket.text, NOW + 1, { station: 'harbour' }), 'ok');
  });

  test('lets another product enter at the same station again after the anti-passback time', () => {
    const ticket = fx.ticket({ prd: 'period' });
    fx.freshChecker();
    expectReason(fx.check(ticket.text, NOW, { station: 'central' }), 'ok');
    expectReason(fx.check(ticket.text, NOW + 600, { station: 'central' }), 'ok');
  });

  test('applies anti-passback to a ticket id whatever code carries it (a fresh rotating code is the same ticket)', () => {
    const ticket = fx.holderTicket({ prd: 'single' }, NOW);
    fx.freshChecker();
    expectReason(fx.check(ticket.code, NOW), 'ok');
    expectReason(fx.check(fx.code(ticket.bytes, NOW + 20), NOW + 20, { station: 'harbour' }), 'passback');
  });

  test('only an accept updates anti-passback state: rejected codes leave no trace', () => {
    const single = fx.ticket({ prd: 'single', zon: [1] });
    fx.freshChecker();
    const rejected = [
      'FT1:garbage',
      fx.ticket({ prd: 'single', nbf: NOW - 2 * DAY, exp: NOW - DAY }).text,
      fx.holderTicket({ prd: 'single' }).text,
      fx.ticket({ prd: 'single' }, { issuer: fx.untrusted }).text,
    ];
    for (const text of rejected) assert.equal(fx.check(text).decision, 'reject');
    expectReason(fx.check(single.text, NOW, { zone: 2 }), 'wrong_zone');
    assert.equal(fx.passback.size, 0);
    expectReason(fx.check(single.text, NOW, { zone: 1 }), 'ok');
    assert.equal(fx.passback.size, 1);
  });

  test('a passback reject does not restart the anti-passback time', () => {
    const day = fx.ticket({ prd: 'day' });
    fx.freshChecker();
    expectReason(fx.check(day.text, NOW), 'ok');
    expectReason(fx.check(day.text, NOW + 300), 'passback');
    expectReason(fx.check(day.text, NOW + 600), 'ok');
  });
});

describe('TicketChecker: exit gates', () => {
  const fx = new TicketFixture();

  test('does not apply anti-passback at an exit gate, nor record exits', () => {
    const single = fx.ticket({ prd: 'single' });
    fx.freshChecker();
    expectReason(fx.check(single.text, NOW, { direction: 'entry' }), 'ok');
    expectReason(fx.check(single.text, NOW + 600, { direction: 'exit', station: 'harbour' }), 'ok');
    expectReason(fx.check(single.text, NOW + 601, { direction: 'exit', station: 'harbour' }), 'ok');
    const day = fx.ticket({ prd: 'day' });
    fx.freshChecker();
    expectReason(fx.check(day.text, NOW, { direction: 'exit' }), 'ok');
    assert.equal(fx.passback.size, 0);
    expectReason(fx.check(day.text, NOW + 1, { direction: 'entry' }), 'ok');
  });

  test('lets a rider whose ticket expired during the journey out within the exit grace, but not in', () => {
    const ticket = fx.ticket({ nbf: NOW - 3 * HOUR, exp: NOW - HOUR });
    expectReason(fx.checkFresh(ticket.text, NOW, { direction: 'exit' }), 'ok');
    expectReason(fx.checkFresh(ticket.text, NOW, { direction: 'entry' }), 'expired');
  });

  test('still checks everything else at an exit gate (zone, holder proof, revocation)', () => {
    expectReason(fx.checkFresh(fx.ticket({ zon: [4] }).text, NOW, { direction: 'exit' }), 'wrong_zone');
    expectReason(fx.checkFresh(fx.holderTicket().text, NOW, { direction: 'exit' }), 'holder_proof_required');
  });
});

describe('TicketChecker: trusted keys', () => {
  test('tries every trusted key that shares a kid, and applies the window of the key that verified', () => {
    const fx = new TicketFixture();
    const twin = makeKey('issuer-twin');
    const sharedKid = fx.issuer.kid;
    fx.setTrustedIssuers([
      ...fx.issuers,
      { kid: sharedKid, publicKey: twin.raw, notBefore: NOW - DAY, notAfter: NOW + DAY },
    ]);
    assert.equal(fx.store.issuersFor(toHex(sharedKid))!.length, 2);
    const byTwin = fx.ticket({}, { issuer: twin, kid: sharedKid });
    const decision = fx.checkFresh(byTwin.text);
    expectReason(decision, 'ok');
    assert.equal(decision.kid, toHex(sharedKid));
    expectReason(fx.checkFresh(fx.ticket().text), 'ok');
    // The twin's own window applies to its tickets, not the first key's.
    expectReason(fx.checkFresh(fx.ticket({ iat: NOW - 2 * DAY, nbf: NOW - HOUR }, { issuer: twin, kid: sharedKid }).text), 'key_not_valid');
    expectReason(fx.checkFresh(fx.ticket({}, { issuer: fx.untrusted, kid: sharedKid }).text), 'bad_signature');
  });

  test('a key dropped from a newer trust list no longer verifies, even for a ticket accepted before', () => {
    const fx = new TicketFixture();
    const ticket = fx.ticket();
    fx.freshChecker();
    expectReason(fx.check(ticket.text, NOW, { direction: 'exit' }), 'ok');
    fx.setTrustedIssuers(fx.issuers.slice(1));
    expectReason(fx.check(ticket.text, NOW, { direction: 'exit' }), 'unknown_key');
  });

  test('a narrower key window in a newer trust list applies to a ticket accepted before', () => {
    const fx = new TicketFixture();
    const ticket = fx.ticket({ iat: NOW - HOUR });
    fx.freshChecker();
    expectReason(fx.check(ticket.text, NOW, { direction: 'exit' }), 'ok');
    fx.setTrustedIssuers([{ ...fx.issuers[0]!, notBefore: NOW }, fx.issuers[1]!]);
    expectReason(fx.check(ticket.text, NOW, { direction: 'exit' }), 'key_not_valid');
  });

  test('a cached verification never lets a different signature through for the same claims', () => {
    const fx = new TicketFixture();
    const ticket = fx.ticket();
    fx.freshChecker();
    expectReason(fx.check(ticket.text, NOW, { direction: 'exit' }), 'ok');
    const tampered = Uint8Array.from(ticket.bytes);
    tampered[tampered.length - 3]! ^= 0x40;
    expectReason(fx.check(ticketText(tampered), NOW, { direction: 'exit' }), 'bad_signature');
    expectReason(fx.check(ticket.text, NOW, { direction: 'exit' }), 'ok');
  });
});
