import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateEd25519, rawPublicKey } from '../../protocol/ticket/ed25519.ts';
import { parseTicketBytes, ticketBytesFromText } from '../../protocol/ticket/ticket-code.ts';
import { readKeyring } from '../../keys/keys-dir.ts';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

interface Issued {
  ticketId: string;
  text: string;
  qr: { png: string; svg: string };
}

const DAY = { from: '2026-03-01T00:00:00Z', until: '2026-03-02T00:00:00Z' };

describe('ticket routes', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  const issue = (payload: Record<string, unknown>, url = '/api/tickets') => h.operator({ method: 'POST', url, payload });

  it('issues a ticket whose FT1 text parses to the requested claims, signed by the current issuer key', async () => {
    const response = await issue({ product: 'day', class: 'child', zones: [1, 2], modes: ['metro', 'bus'], ...DAY });
    assert.equal(response.statusCode, 201);
    const issued = response.json<Issued>();
    assert.match(issued.text, /^FT1:/);
    assert.match(issued.ticketId, /^[0-9a-f]{24}$/);
    const secret = /\?secret=([\w-]{43})$/.exec(issued.qr.svg)?.[1];
    assert.ok(secret, 'the links carry the one-time QR secret');
    assert.deepEqual(issued.qr, { png: `/api/tickets/${issued.ticketId}/qr.png?secret=${secret}`, svg: `/api/tickets/${issued.ticketId}/qr.svg?secret=${secret}` });
    const { claims, cose } = parseTicketBytes(ticketBytesFromText(issued.text));
    assert.equal(Buffer.from(claims.cti).toString('hex'), issued.ticketId);
    assert.equal(claims.prd, 'day');
    assert.equal(claims.cls, 'child');
    assert.deepEqual(claims.zon, [1, 2]);
    assert.deepEqual(claims.mod, ['metro', 'bus']);
    assert.equal(claims.nbf, Date.parse(DAY.from) / 1000);
    assert.equal(claims.exp, Date.parse(DAY.until) / 1000);
    assert.equal(claims.holderKey, undefined);
    assert.equal(Buffer.from(cose.kid!).toString('hex'), readKeyring(h.keysDir).signingKid);
  });

  it('stores the ticket and shows it to an operator', async () => {
    const issued = (await issue({ product: 'single', ...DAY })).json<Issued>();
    const response = await h.operator({ url: `/api/tickets/${issued.ticketId.toUpperCase()}` });
    assert.equal(response.statusCode, 200);
    const ticket = response.json<Record<string, unknown>>();
    assert.equal(ticket.ticketId, issued.ticketId);
    assert.equal(ticket.text, issued.text);
    assert.equal(ticket.product, 'single');
    assert.equal(ticket.class, 'adult');
    assert.deepEqual(ticket.zones, []);
    assert.equal(ticket.from, '2026-03-01T00:00:00.000Z');
    assert.equal(ticket.until, '2026-03-02T00:00:00.000Z');
    assert.equal((await h.ledger.getIssuedTicket(issued.ticketId))?.text, issued.text);
  });

  it('binds a ticket to a holder key given as hex or as base64url', async () => {
    const raw = rawPublicKey(generateEd25519().publicKey);
    for (const holderKey of [Buffer.from(raw).toString('hex'), Buffer.from(raw).toString('base64url')]) {
      const issued = (await issue({ product: 'period', holderKey, ...DAY })).json<Issued>();
      const { claims } = parseTicketBytes(ticketBytesFromText(issued.text));
      assert.deepEqual(claims.holderKey, raw);
      const stored = (await h.operator({ url: `/api/tickets/${issued.ticketId}` })).json<{ holderKey: string }>();
      assert.equal(stored.holderKey, Buffer.from(raw).toString('hex'));
    }
  });

  it('enrols a rider app key, and requires that key', async () => {
    const raw = rawPublicKey(generateEd25519().publicKey);
    const enrolled = await issue({ product: 'account', holderKey: Buffer.from(raw).toString('base64url'), ...DAY }, '/api/enrolments');
    assert.equal(enrolled.statusCode, 201);
    assert.deepEqual(parseTicketBytes(ticketBytesFromText(enrolled.json<Issued>().text)).claims.holderKey, raw);
    const missing = await issue({ product: 'account', ...DAY }, '/api/enrolments');
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json<{ message: string }>().message, 'body/holderKey is required');
  });

  it('refuses a validity that ends before it starts, naming the field', async () => {
    const response = await issue({ product: 'day', from: DAY.until, until: DAY.from });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json<{ message: string }>().message, 'body/until must be after from');
  });

  it('refuses a holder key of the wrong length', async () => {
    const response = await issue({ product: 'day', holderKey: 'ab'.repeat(31), ...DAY });
    assert.equal(response.statusCode, 400);
    assert.match(response.json<{ message: string }>().message, /^body\/holderKey must be the holder's raw 32-byte Ed25519 public key/);
  });

  it('answers 404 for the details of a ticket never issued', async () => {
    assert.equal((await h.operator({ url: '/api/tickets/00112233445566778899aabb' })).statusCode, 404);
  });
});

describe('issuing with an expired issuer key', () => {
  it('refuses with 409 and says to rotate, since gates would refuse the ticket', async () => {
    const h = await apiHarness({ keysCreatedAt: new Date(Date.now() - 3 * 86_400_000), issuerValidityDays: 1 });
    try {
      const response = await h.operator({ method: 'POST', url: '/api/tickets', payload: { product: 'day', ...DAY } });
      assert.equal(response.statusCode, 409);
      assert.match(response.json<{ message: string }>().message, /expired .*rotate/);
    } finally {
      await h.close();
    }
  });
});
