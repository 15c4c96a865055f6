/** A malformed code's decision says which layer failed and why (decode-failure.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeCbor } from '../../protocol/ticket/cbor.ts';
import { parseCoseSign1 } from '../../protocol/ticket/cose-sign1.ts';
import { explainDecodeFailure } from '../../protocol/ticket/decode-failure.ts';
import { parseCodeText, ticketText } from '../../protocol/ticket/ticket-code.ts';
import { TicketFixture, ticketClaimsMap } from './test-fixtures.ts';

const fx = new TicketFixture();

function detailOf(text: string): string | undefined {
  const decision = fx.checkFresh(text);
  assert.equal(decision.reason, 'malformed', text.slice(0, 12));
  return decision.detail;
}

describe('TicketChecker: why a code is malformed', () => {
  const valid = fx.ticket();

  test('names the text layer for a wrong prefix or an over-long text', () => {
    assert.equal(detailOf('HC1:ABC'), 'text: starts with neither FT1: nor FD1:');
    assert.equal(detailOf(`FT1:${'0'.repeat(1100)}`), 'text: over 1024 characters');
    assert.equal(fx.checkFresh(42 as unknown as string).detail, 'text: not a text');
  });

  test('names the Base45 layer with the character and its position in the whole text', () => {
    assert.equal(detailOf('FT1:garbage'), 'Base45: invalid character "g" at position 4');
    const bad = valid.text.replace(/.$/, 'a');
    assert.equal(detailOf(bad), `Base45: invalid character "a" at position ${bad.length - 1}`);
    assert.match(detailOf(`FT1:GGW${valid.text.slice(4)}`) ?? '', /^Base45: the three characters at position 4 exceed 65535$/);
    const base45 = valid.text.slice(4);
    const dangling = `${valid.text}${'A'.repeat((4 - (base45.length % 3)) % 3)}`;
    assert.equal((dangling.length - 4) % 3, 1);
    assert.match(detailOf(dangling) ?? '', /^Base45: \d+ characters leave a single one over/);
  });

  test('names the COSE layer for damaged or re-wrapped envelopes', () => {
    assert.match(detailOf(ticketText(valid.bytes.subarray(0, valid.bytes.length - 1))) ?? '', /^COSE: bad CBOR/);
    const cose = parseCoseSign1(valid.bytes);
    const untagged = encodeCbor([cose.protectedBytes, new Map(), cose.payload, cose.signature]);
    assert.match(detailOf(ticketText(untagged)) ?? '', /^COSE: a ticket must be 18\(\[protected, \{\}, payload, signature\]\)/);
  });

  test('names the claims layer and the claim', () => {
    assert.equal(detailOf(fx.ticketFromMap(ticketClaimsMap([[4, undefined]]))), 'claims: exp missing');
    assert.equal(detailOf(fx.ticketFromMap(ticketClaimsMap([[7, undefined]]))), 'claims: cti (ticket id) missing');
    assert.equal(detailOf(fx.ticketFromMap(ticketClaimsMap([['prd', 'weekly']]))), 'claims: prd must be one of single, day, period, account');
  });

  test("names the rotating code's own layer", () => {
    assert.equal(detailOf(fx.code(valid.bytes)), 'code: a rotating code must wrap a ticket with cnf');
  });

  test('gives no detail for a code that decodes', () => {
    assert.equal(fx.checkFresh(valid.text).detail, undefined);
  });

  test('explains a decode failure to a person in terms of what they typed', () => {
    const explain = (text: string): string => {
      try {
        parseCodeText(text);
      } catch (error) {
        return explainDecodeFailure(error);
      }
      return 'decoded';
    };
    assert.match(explain('FT1:garbage'), /only Base45 characters \(0-9, upper-case A-Z.*\(Base45: invalid character "g" at position 4\)$/);
    assert.match(explain('ticket please'), /a ticket text starts with FT1: and a rider's rotating code with FD1:/);
    assert.match(explain(ticketText(encodeCbor([1, 2]))), /not to a signed Faregate ticket.*\(COSE: /);
  });
});
