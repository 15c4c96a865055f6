/** Ledger contract: devices, bundles, issued tickets, API tokens, fares and settlements. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Device, Fare, StoredTicket } from './ledger.ts';
import { CONTRACT_NOW, freshLedgerPerTest, type MakeLedger } from './contract-fixture.ts';
import { EPOCH_MS, sampleTaps } from './sample-records.ts';

function device(id: string, overrides: Partial<Device> = {}): Device {
  return {
    id,
    station: 'central',
    zone: 1,
    mode: 'metro',
    direction: 'entry',
    credentialHash: `sha256:${id}`,
    createdAt: CONTRACT_NOW,
    state: { online: true, lastSeen: CONTRACT_NOW, bundleVersions: { 'trust-list': 3 }, backlog: 0, clockAnchored: true },
    ...overrides,
  };
}

const fare = (seq: number, overrides: Partial<Fare> = {}): Fare => ({
  tapDevice: 'gate-1', tapSeq: seq, amountCents: 250, currency: 'EUR', operator: 'metro-co', computedAt: CONTRACT_NOW, ...overrides,
});

const ticket: StoredTicket = {
  ticketId: '00112233445566778899aabb', product: 'day', fareClass: 'child', zones: [1, 2], modes: ['metro', 'bus'],
  nbf: 1_767_225_600, exp: 1_767_312_000, text: 'FG1:EXAMPLE', issuedAt: CONTRACT_NOW,
};

export function describeTablesContract(makeLedger: MakeLedger): void {
  describe('gateway tables', () => {
    const fx = freshLedgerPerTest(makeLedger);

    it('registers devices, replaces them on upsert keeping createdAt, and updates state', async () => {
      const { ledger } = fx;
      await ledger.upsertDevice(device('gate-2'));
      await ledger.upsertDevice(device('gate-1'));
      await ledger.upsertDevice(device('gate-1', { station: 'north', zone: 2, createdAt: CONTRACT_NOW + 99 }));
      assert.deepEqual(await ledger.getDevice('gate-1'), device('gate-1', { station: 'north', zone: 2 }));
      const state = { online: false, lastSeen: null, bundleVersions: {}, backlog: 42, clockAnchored: false };
      assert.equal(await ledger.setDeviceState('gate-2', state), true);
      assert.equal(await ledger.setDeviceState('nobody', state), false);
      assert.deepEqual((await ledger.listDevices()).map((d) => [d.id, d.state.backlog]), [['gate-1', 0], ['gate-2', 42]]);
      assert.equal(await ledger.getDevice('nobody'), null);
      assert.equal(await ledger.removeDevice('gate-2'), true);
      assert.equal(await ledger.removeDevice('gate-2'), false);
      assert.deepEqual((await ledger.listDevices()).map((d) => d.id), ['gate-1']);
    });

    it('keeps published bundles immutable and serves the latest of each type', async () => {
      const { ledger } = fx;
      const bytes = (n: number): Uint8Array => Uint8Array.from([0xd2, 0x84, n, 0, 255]);
      assert.equal(await ledger.putBundle({ type: 'trust-list', version: 2, bytes: bytes(2), publishedAt: 2 }), true);
      assert.equal(await ledger.putBundle({ type: 'trust-list', version: 10, bytes: bytes(10), publishedAt: 10 }), true);
      assert.equal(await ledger.putBundle({ type: 'deny-list', version: 1, bytes: bytes(1), publishedAt: 1 }), true);
      assert.equal(await ledger.putBundle({ type: 'trust-list', version: 10, bytes: bytes(99), publishedAt: 11 }), false);
      assert.deepEqual(await ledger.latestBundle('trust-list'), { type: 'trust-list', version: 10, bytes: bytes(10), publishedAt: 10 });
      assert.equal(await ledger.latestBundle('fares'), null);
      assert.deepEqual((await ledger.latestBundles()).map((b) => [b.type, b.version]), [['deny-list', 1], ['trust-list', 10]]);
    });

    it('stores issued tickets and refuses a second ticket with the same id', async () => {
      const withKey: StoredTicket = { ...ticket, ticketId: 'ffeeddccbbaa998877665544', holderKeyHex: 'ab'.repeat(32) };
      await fx.ledger.insertIssuedTicket(ticket);
      await fx.ledger.insertIssuedTicket(withKey);
      assert.deepEqual(await fx.ledger.getIssuedTicket(ticket.ticketId), ticket);
      assert.deepEqual(await fx.ledger.getIssuedTicket(withKey.ticketId), withKey);
      assert.equal(await fx.ledger.getIssuedTicket('missing'), null);
      await assert.rejects(fx.ledger.insertIssuedTicket(ticket));
    });

    it('finds API tokens by hash with their scopes, lists and deletes them, and refuses a duplicate hash', async () => {
      const { ledger } = fx;
      await ledger.insertApiToken({ id: 't2', name: 'dashboard', tokenHash: 'h2', scopes: ['read', 'deny'], createdAt: 2 });
      await ledger.insertApiToken({ id: 't1', name: 'ops', tokenHash: 'h1', scopes: ['admin'], createdAt: 1 });
      await assert.rejects(ledger.insertApiToken({ id: 't3', name: 'copy', tokenHash: 'h1', scopes: ['read'], createdAt: 3 }));
      assert.deepEqual(await ledger.findApiTokenByHash('h2'), { id: 't2', name: 'dashboard', tokenHash: 'h2', scopes: ['read', 'deny'], createdAt: 2 });
      assert.equal(await ledger.findApiTokenByHash('nope'), null);
      assert.deepEqual((await ledger.listApiTokens()).map((t) => [t.id, t.scopes]), [['t1', ['admin']], ['t2', ['read', 'deny']]]);
      assert.equal(await ledger.deleteApiToken('t1'), true);
      assert.equal(await ledger.deleteApiToken('t1'), false);
      assert.equal(await ledger.findApiTokenByHash('h1'), null);
    });

    it("uses up a ticket's QR secret once, and only with its hash", async () => {
      const { ledger } = fx;
      const withSecret: StoredTicket = { ...ticket, qrSecretHash: 'qr-hash' };
      await ledger.insertIssuedTicket(withSecret);
      assert.deepEqual(await ledger.getIssuedTicket(ticket.ticketId), withSecret);
      assert.equal(await ledger.consumeTicketQrSecret(ticket.ticketId, 'other-hash'), false);
      assert.equal(await ledger.consumeTicketQrSecret(ticket.ticketId, 'qr-hash'), true);
      assert.equal(await ledger.consumeTicketQrSecret(ticket.ticketId, 'qr-hash'), false, 'a second use');
      assert.equal((await ledger.getIssuedTicket(ticket.ticketId))?.qrSecretHash, undefined);
    });

    it('stores one fare per tap, refuses fares for unknown taps, and totals by gate time', async () => {
      const { ledger } = fx;
      await ledger.ingestBatch('gate-1', sampleTaps('gate-1', 1, 6));
      assert.equal(await ledger.insertFares([fare(1), fare(2), fare(3, { operator: 'bus-co', amountCents: 180 }), fare(4)]), 4);
      assert.equal(await ledger.insertFares([fare(4, { amountCents: 9999 }), fare(5)]), 1, 'a tap keeps its first fare');
      await assert.rejects(ledger.insertFares([fare(6), fare(77)]));
      assert.equal((await ledger.fares({ limit: 100 })).length, 5, 'the failed insert wrote nothing');
      const window = { from: EPOCH_MS + 2000, until: EPOCH_MS + 5000 };
      assert.deepEqual((await ledger.fares({ operator: 'metro-co', ...window, limit: 10 })).map((f) => [f.tapSeq, f.amountCents]), [[2, 250], [4, 250]]);
      assert.deepEqual(await ledger.fareTotal({ operator: 'metro-co', currency: 'EUR' }), { totalCents: 1000, count: 4 });
      assert.deepEqual(await ledger.fareTotal({ operator: 'metro-co', ...window }), { totalCents: 500, count: 2 });
      assert.deepEqual(await ledger.fareTotal({ operator: 'nobody' }), { totalCents: 0, count: 0 });
      assert.deepEqual(await ledger.fares({ operator: 'bus-co', limit: 10 }), [fare(3, { operator: 'bus-co', amountCents: 180 })]);
    });

    it('stores settlements once per id and lists them by period', async () => {
      const { ledger } = fx;
      const settlement = (id: string, operator: string, periodStart: number) => ({
        id, operator, currency: 'EUR', periodStart, periodEnd: periodStart + 86_400_000, totalCents: 1000, fareCount: 4, createdAt: CONTRACT_NOW,
      });
      assert.equal(await ledger.insertSettlement(settlement('s-2', 'metro-co', EPOCH_MS + 86_400_000)), true);
      assert.equal(await ledger.insertSettlement(settlement('s-1', 'metro-co', EPOCH_MS)), true);
      assert.equal(await ledger.insertSettlement(settlement('s-3', 'bus-co', EPOCH_MS)), true);
      assert.equal(await ledger.insertSettlement({ ...settlement('s-1', 'metro-co', EPOCH_MS), totalCents: 5 }), false);
      assert.deepEqual((await ledger.settlements('metro-co')).map((s) => [s.id, s.totalCents]), [['s-1', 1000], ['s-2', 1000]]);
      assert.deepEqual((await ledger.settlements()).map((s) => s.id), ['s-1', 's-3', 's-2']);
    });
  });
}
