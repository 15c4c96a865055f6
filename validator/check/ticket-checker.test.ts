/** Every reason of ticket-format.md but malformed, one by one (malformed, order, passback and windows have their own files). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeBase45 } from '../../protocol/ticket/base45.ts';
import { toHex } from '../../protocol/ticket/ed25519.ts';
import { ticketText } from '../../protocol/ticket/ticket-code.ts';
import { REJECT_REASONS } from '../../protocol/ticket/reasons.ts';
import { DAY, decodeCodeBytes, expectReason, HOUR, KEY_AGE, NOW, OPERATOR, TicketFixture, ticketClaimsMap } from './test-fixtures.ts';

const fx = new TicketFixture();

describe('TicketChecker accepts', () => {
  test('accepts a valid level-1 ticket and reports its level, id, product, class and kid', () => {
    const ticket = fx.ticket({ prd: 'period', cls: 'senior' });
    const decision = fx.checkFresh(ticket.text);
    expectReason(decision, 'ok');
    assert.deepEqual(decision, {
      decision: 'accept',
      reason: 'ok',
      level: 1,
      kid: toHex(fx.issuer.kid),
      ticketId: toHex(ticket.claims.cti),
      product: 'period',
      fareClass: 'senior',
      clockTrusted: true,
    });
  });

  test('accepts a valid level-2 rotating code', () => {
    const ticket = fx.holderTicket();
    const decision = fx.checkFresh(ticket.code);
    expectReason(decision, 'ok');
    assert.equal(decision.level, 2);
    assert.equal(decision.ticketId, toHex(ticket.claims.cti));
  });

  test('accepts a ticket whose Base45 text contains spaces: the whole text is the code, never split', () => {
    let ticket = fx.ticket();
    while (!ticket.text.includes(' ')) ticket = fx.ticket();
    expectReason(fx.checkFresh(ticket.text), 'ok');
    expectReason(fx.checkFresh(ticket.text.split(' ')[0]!), 'malformed');
  });

  test('ignores unknown claims', () => {
    const text = fx.ticketFromMap(
      ticketClaimsMap([
        [2, 'rider-42'],
        [99, [1, 'x', new Map([[1, 2]])]],
        ['vrs', 2],
        ['ext', new Uint8Array(40)],
      ]),
    );
    expectReason(fx.checkFresh(text), 'ok');
  });

  test('accepts a ticket without the optional claims iss, iat, cls, zon, mod', () => {
    const ticket = fx.ticket({ iss: undefined, iat: undefined });
    expectReason(fx.checkFresh(ticket.text), 'ok');
  });
});

describe('TicketChecker: keys and signatures', () => {
  test('rejects a ticket signed by a key that is not on the trust list as unknown_key', () => {
    const decision = fx.checkFresh(fx.ticket({}, { issuer: fx.untrusted }).text);
    expectReason(decision, 'unknown_key');
    assert.equal(decision.kid, toHex(fx.untrusted.kid));
  });

  test('rejects a level-2 code whose ticket comes from an unknown key as unknown_key', () => {
    const ticket = fx.ticket({}, { issuer: fx.untrusted, holder: fx.holder });
    expectReason(fx.checkFresh(fx.code(ticket.bytes)), 'unknown_key');
  });

  test('rejects a level-1 ticket whose signature does not verify as bad_signature', () => {
    const ticket = fx.ticket();
    const tampered = Uint8Array.from(ticket.bytes);
    tampered[tampered.length - 10]! ^= 0x20;
    expectReason(fx.checkFresh(ticketText(tampered)), 'bad_signature');
    const forged = fx.ticket({}, { issuer: fx.untrusted, kid: fx.issuer.kid });
    expectReason(fx.checkFresh(forged.text), 'bad_signature');
  });

  test('rejects a level-2 code signed by another holder key as bad_signature', () => {
    const ticket = fx.ticket({}, { holder: fx.holder });
    expectReason(fx.checkFresh(fx.code(ticket.bytes, NOW, fx.otherHolder)), 'bad_signature');
  });

  test('rejects a level-2 code whose ticket signature does not verify as bad_signature', () => {
    const ticket = fx.ticket({}, { holder: fx.holder });
    const tampered = Uint8Array.from(ticket.bytes);
    tampered[tampered.length - 1]! ^= 0x01;
    expectReason(fx.checkFresh(fx.code(tampered)), 'bad_signature');
  });

  test('rejects a level-2 code whose own signature was tampered with as bad_signature', () => {
    const code = fx.holderTicket().code;
    const bytes = decodeCodeBytes(code);
    bytes[bytes.length - 5]! ^= 0x10;
    expectReason(fx.checkFresh('FD1:' + encodeBase45(bytes)), 'bad_signature');
  });
});

describe('TicketChecker: key validity window and operator', () => {
  const keyStart = NOW - KEY_AGE;

  test('rejects a ticket issued (iat) before the key was valid as key_not_valid', () => {
    expectReason(fx.checkFresh(fx.ticket({ iat: keyStart - 1 }).text), 'key_not_valid');
  });

  test('rejects a ticket issued at or after the key expired as key_not_valid', () => {
    const keyEnd = fx.issuers[0]!.notAfter!;
    expectReason(fx.checkFresh(fx.ticket({ iat: keyEnd, nbf: NOW - HOUR }).text), 'key_not_valid');
    expectReason(fx.checkFresh(fx.ticket({ iat: keyEnd + 1 }).text), 'key_not_valid');
  });

  test('judges the key window by nbf when iat is absent', () => {
    expectReason(fx.checkFresh(fx.ticket({ iat: undefined, nbf: keyStart - 1, exp: NOW + DAY, prd: 'period' }).text), 'key_not_valid');
    expectReason(fx.checkFresh(fx.ticket({ iat: undefined, nbf: keyStart, exp: NOW + DAY, prd: 'period' }).text), 'ok');
  });

  test('judges the key window by iat, not nbf, when both are present', () => {
    expectReason(fx.checkFresh(fx.ticket({ iat: keyStart, nbf: keyStart - DAY, prd: 'account' }).text), 'ok');
  });

  test('rejects a ticket whose iss is not the operator the trust list names for the key as key_not_valid', () => {
    expectReason(fx.checkFresh(fx.ticket({ iss: 'bus.example' }).text), 'key_not_valid');
    expectReason(fx.checkFresh(fx.ticket({ iss: OPERATOR }).text), 'ok');
  });

  test('accepts any iss from a key for which the trust list names no operator', () => {
    expectReason(fx.checkFresh(fx.ticket({ iss: 'bus.example' }, { issuer: fx.busIssuer }).text), 'ok');
  });
});

describe('TicketChecker: revocation and clock', () => {
  test('rejects a ticket whose id is on the deny list as revoked', () => {
    const fixture = new TicketFixture();
    const ticket = fixture.ticket();
    expectReason(fixture.checkFresh(ticket.text), 'ok');
    fixture.revoke({ tickets: [ticket.claims.cti] });
    expectReason(fixture.checkFresh(ticket.text), 'revoked');
  });

  test('rejects a code whose holder key is on the deny list as revoked, as FD1 and as FT1', () => {
    const fixture = new TicketFixture();
    const ticket = fixture.holderTicket();
    fixture.revoke({ holders: [fixture.holder.raw] });
    expectReason(fixture.checkFresh(ticket.code), 'revoked');
    expectReason(fixture.checkFresh(ticket.text), 'revoked');
  });

  test('with policy "reject", rejects everything valid as clock_untrusted while the clock is not anchored', () => {
    const fixture = new TicketFixture({ unanchoredClock: 'reject' });
    const ticket = fixture.ticket();
    const decision = fixture.checkFresh(ticket.text, NOW, {}, false);
    expectReason(decision, 'clock_untrusted');
    assert.equal(decision.clockTrusted, false);
    expectReason(fixture.checkFresh(ticket.text, NOW, {}, true), 'ok');
  });

  test('with policy "accept-flagged", accepts on an unanchored clock and says clockTrusted false', () => {
    const decision = fx.checkFresh(fx.ticket().text, NOW, {}, false);
    expectReason(decision, 'ok');
    assert.equal(decision.clockTrusted, false);
    assert.equal(fx.checkFresh(fx.ticket().text, NOW, {}, true).clockTrusted, true);
    assert.equal(fx.checkFresh('nonsense', NOW, {}, false).clockTrusted, false);
  });
});

describe('TicketChecker: validity, holder proof, zone and mode', () => {
  test('rejects a ticket before its nbf as not_yet_valid and after its exp as expired', () => {
    const ticket = fx.ticket({ nbf: NOW + HOUR, exp: NOW + DAY });
    expectReason(fx.checkFresh(ticket.text), 'not_yet_valid');
    const old = fx.ticket({ nbf: NOW - DAY, exp: NOW - HOUR });
    expectReason(fx.checkFresh(old.text), 'expired');
  });

  test('rejects a ticket with cnf shown as plain FT1 as holder_proof_required', () => {
    expectReason(fx.checkFresh(fx.holderTicket().text), 'holder_proof_required');
  });

  test('rejects a level-2 code made too long ago, or in the future, as code_expired', () => {
    expectReason(fx.checkFresh(fx.holderTicket({}, NOW - 10 * 60).code), 'code_expired');
    expectReason(fx.checkFresh(fx.holderTicket({}, NOW + 10 * 60).code), 'code_expired');
  });

  test('rejects a ticket whose zones do not cover the gate as wrong_zone', () => {
    const ticket = fx.ticket({ zon: [2, 3] });
    expectReason(fx.checkFresh(ticket.text, NOW, { zone: 1 }), 'wrong_zone');
    expectReason(fx.checkFresh(ticket.text, NOW, { zone: 3 }), 'ok');
    expectReason(fx.checkFresh(fx.ticket({ zon: [] }).text, NOW, { zone: 0 }), 'wrong_zone');
  });

  test('rejects a ticket whose modes do not cover the gate as wrong_mode', () => {
    const ticket = fx.ticket({ mod: ['bus', 'tram'] });
    expectReason(fx.checkFresh(ticket.text, NOW, { mode: 'metro' }), 'wrong_mode');
    expectReason(fx.checkFresh(ticket.text, NOW, { mode: 'tram' }), 'ok');
  });

  test('a ticket without zon or mod is valid in every zone and mode', () => {
    const ticket = fx.ticket();
    for (const mode of ['metro', 'bus', 'tram', 'rail'] as const) {
      expectReason(fx.checkFresh(ticket.text, NOW, { mode, zone: 77 }), 'ok');
    }
  });

  test('every reject reason is one of REJECT_REASONS, in the order of ticket-format.md', () => {
    assert.deepEqual(REJECT_REASONS, [
      'malformed',
      'unknown_key',
      'bad_signature',
      'key_not_valid',
      'revoked',
      'clock_untrusted',
      'not_yet_valid',
      'expired',
      'holder_proof_required',
      'code_expired',
      'wrong_zone',
      'wrong_mode',
      'passback',
    ]);
  });
});
