/** Key lifecycle at the gate: ticket lifetimes per product and the key's window around a ticket's validity. */
import { describe, test } from 'node:test';
import { DEFAULT_MAX_LIFETIME_SECONDS } from '../../protocol/bundles/check-settings.ts';
import { DAY, expectReason, HOUR, NOW, TicketFixture } from './test-fixtures.ts';

const YEAR_2100 = 4_102_444_800;

describe('TicketChecker: maximum ticket lifetime per product', () => {
  const fx = new TicketFixture();

  for (const product of ['single', 'day', 'period', 'account'] as const) {
    const lifetime = DEFAULT_MAX_LIFETIME_SECONDS[product];
    test(`accepts a ${product} ticket of exactly its maximum lifetime and refuses one second more as key_not_valid`, () => {
      const nbf = NOW - HOUR;
      expectReason(fx.checkFresh(fx.ticket({ prd: product, nbf, exp: nbf + lifetime }).text), 'ok');
      expectReason(fx.checkFresh(fx.ticket({ prd: product, nbf, exp: nbf + lifetime + 1 }).text), 'key_not_valid');
    });
  }

  test('follows the lifetimes of the fare settings in force', () => {
    const ticket = fx.ticket({ prd: 'day', nbf: NOW - HOUR, exp: NOW + 2 * HOUR });
    expectReason(fx.checkFresh(ticket.text), 'ok');
    fx.freshChecker({ maxLifetimeSeconds: { ...DEFAULT_MAX_LIFETIME_SECONDS, day: 2 * HOUR } });
    expectReason(fx.check(ticket.text), 'key_not_valid');
  });

  test('refuses an overlong ticket before anything else it might be refused for (revoked, expired, zone)', () => {
    const ticket = fx.ticket({ prd: 'single', nbf: NOW - 10 * DAY, exp: NOW - 5 * DAY, zon: [9] });
    fx.revoke({ tickets: [ticket.claims.cti] });
    expectReason(fx.checkFresh(ticket.text), 'key_not_valid');
    fx.revoke({});
  });
});

describe('TicketChecker: a retired key cannot mint tickets that outlive it', () => {
  const fx = new TicketFixture();
  // The main issuer, retired yesterday: it signed from a year ago until then.
  const retiredAt = NOW - DAY;
  fx.setTrustedIssuers([{ ...fx.issuers[0]!, notAfter: retiredAt }, fx.issuers[1]!]);
  const period = DEFAULT_MAX_LIFETIME_SECONDS.period;

  test('still accepts what it signed before retirement, while that is valid', () => {
    expectReason(fx.checkFresh(fx.ticket({ prd: 'period', iat: retiredAt - DAY, nbf: retiredAt - DAY, exp: retiredAt + 30 * DAY }).text), 'ok');
  });

  test('refuses a ticket with a backdated iat valid until 2100 (the attack) as key_not_valid', () => {
    for (const product of ['single', 'day', 'period', 'account'] as const) {
      const forged = fx.ticket({ prd: product, iat: retiredAt - 2 * DAY, nbf: NOW - HOUR, exp: YEAR_2100 });
      expectReason(fx.checkFresh(forged.text), 'key_not_valid', product);
    }
  });

  test('refuses a backdated ticket of allowed length that ends more than a lifetime after the key stopped signing', () => {
    const nbf = retiredAt + period - 10 * DAY;
    const late = fx.ticket({ prd: 'period', iat: retiredAt - 2 * DAY, nbf, exp: retiredAt + period + 1 });
    expectReason(fx.checkFresh(late.text, nbf), 'key_not_valid');
    const edge = fx.ticket({ prd: 'period', iat: retiredAt - 2 * DAY, nbf, exp: retiredAt + period });
    expectReason(fx.checkFresh(edge.text, nbf), 'ok');
  });

  test('accepts a ticket valid from before its key existed (a day ticket from midnight): only the signing time and the end are bound to the key', () => {
    const keyStart = fx.issuers[0]!.notBefore;
    const early = fx.ticket({ prd: 'day', iat: keyStart + HOUR, nbf: keyStart - 2 * HOUR, exp: keyStart + 20 * HOUR });
    expectReason(fx.checkFresh(early.text, keyStart + 2 * HOUR), 'ok');
  });
});
