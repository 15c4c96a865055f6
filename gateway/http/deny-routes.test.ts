import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { denyHashOfHolder, denyHashOfTicket, openDenyDelta, openDenyList } from '../../protocol/bundles/deny-list.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { generateEd25519, rawPublicKey } from '../../protocol/ticket/ed25519.ts';
import { KEYS_FILES, readBundle, readRootPublicKey } from '../../keys/keys-dir.ts';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

interface DenyReply {
  version?: number;
  alreadyDenied?: boolean;
  message?: string;
}

describe('deny route', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  const deny = async (payload: Record<string, unknown>) => {
    const response = await h.operator({ method: 'POST', url: '/api/deny', payload });
    return { status: response.statusCode, body: response.json<DenyReply>() };
  };
  const denyList = () => openDenyList(readBundle(h.keysDir, KEYS_FILES.denyList), readRootPublicKey(h.keysDir));
  const deltas = () => h.published.filter((p) => p.topic === topics.bundle('deny-delta'));

  it('denies a ticket by its FT1 text: the list gains its hash and the gates get a delta at once', async () => {
    const issued = (await h.operator({ method: 'POST', url: '/api/tickets', payload: { product: 'day', from: '2026-03-01T00:00:00Z', until: '2026-03-02T00:00:00Z' } })).json<{
      ticketId: string;
      text: string;
    }>();
    const before = denyList().version;
    const result = await deny({ ticket: issued.text, reason: 'reported stolen' });
    assert.equal(result.status, 200);
    assert.equal(result.body.version, before + 1);
    const hash = denyHashOfTicket(Buffer.from(issued.ticketId, 'hex'));
    assert.ok(denyList().entries.has(hash));
    const delta = openDenyDelta(deltas().at(-1)!.payload, readRootPublicKey(h.keysDir));
    assert.equal(delta.version, before + 1);
    assert.ok(delta.add.has(hash));
    assert.ok(deltas().at(-1)!.retain);
  });

  it('is idempotent: denying the same ticket id again changes nothing and publishes nothing', async () => {
    const ticketId = 'a1b2c3d4e5f60718293a4b5c';
    const first = await deny({ ticketId });
    assert.equal(typeof first.body.version, 'number');
    const published = h.published.length;
    const again = await deny({ ticketId: ticketId.toUpperCase() });
    assert.deepEqual(again, { status: 200, body: { alreadyDenied: true } });
    assert.equal(h.published.length, published);
    assert.equal(denyList().version, first.body.version);
    assert.ok(denyList().entries.has(denyHashOfTicket(Buffer.from(ticketId, 'hex'))));
  });

  it('denies a holder key, given as hex or base64url (the same entry)', async () => {
    const raw = rawPublicKey(generateEd25519().publicKey);
    const first = await deny({ holderKey: Buffer.from(raw).toString('base64url') });
    assert.equal(first.status, 200);
    assert.ok(denyList().entries.has(denyHashOfHolder(raw)));
    const again = await deny({ holderKey: Buffer.from(raw).toString('hex') });
    assert.deepEqual(again.body, { alreadyDenied: true });
  });

  it('needs exactly one of ticketId, ticket and holderKey', async () => {
    const none = await deny({ reason: 'x' });
    assert.equal(none.status, 400);
    assert.equal(none.body.message, 'body must give exactly one of ticketId, ticket, holderKey');
    const two = await deny({ ticketId: '00112233445566778899aabb', holderKey: 'ab'.repeat(32) });
    assert.equal(two.status, 400);
    assert.match(two.body.message ?? '', /\(got ticketId, holderKey\)/);
  });

  it('refuses an FT1 text that is not a readable ticket, and names bad fields', async () => {
    const unreadable = await deny({ ticket: 'FT1:NOT A TICKET' });
    assert.equal(unreadable.status, 400);
    assert.match(unreadable.body.message ?? '', /^body\/ticket is not a readable ticket/);
    const bad = await deny({ ticket: 'ticket please', reason: '' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message ?? '', /body\/ticket must be a ticket text starting with FT1:/);
    assert.match(bad.body.message ?? '', /body\/reason must NOT have fewer than 1 characters/);
  });
});
