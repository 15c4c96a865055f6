import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import pino from 'pino';
import sinon from 'sinon';
import { DenySet, signDenyDelta, signDenyList } from '../../protocol/bundles/deny-list.ts';
import { signFareSettings, signGateCommand } from '../../protocol/bundles/downlink-bundles.ts';
import { signTrustList } from '../../protocol/bundles/trust-list.ts';
import { generateEd25519, signingKeyFrom } from '../../protocol/ticket/ed25519.ts';
import { TrustStore } from '../check/trust-store.ts';
import { BundleStore } from './bundle-store.ts';
import { DEFAULT_MAX_LIFETIME_SECONDS } from '../../protocol/bundles/check-settings.ts';

const logger = pino({ level: 'silent' });
const root = signingKeyFrom(generateEd25519().privateKey);
const rootPublicKey = createPublicKey(root.privateKey);
const trustList = (version: number) => signTrustList({ version, issuedAt: 1, issuers: [] }, root);
const denyList = (version: number, entries: bigint[]) =>
  signDenyList({ version, issuedAt: 1, entries: DenySet.fromUnsorted(entries) }, root);
const fares = (version: number) =>
  signFareSettings(
    { version, issuedAt: 1, skewSeconds: 5, codeWindowSeconds: 30, passbackSeconds: 300, exitGraceSeconds: 3600, unanchoredClock: 'reject', maxLifetimeSeconds: DEFAULT_MAX_LIFETIME_SECONDS },
    root,
  );

describe('bundle store', () => {
  let dir: string;
  let listeners: { onFares: sinon.SinonSpy; onCommand: sinon.SinonSpy };
  const open = async () => {
    const trust = new TrustStore(rootPublicKey);
    const store = new BundleStore({ dir, device: 'gate-1' }, trust, listeners, logger);
    await store.start();
    return { trust, store };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'faregate-bundles-'));
    listeners = { onFares: sinon.spy(), onCommand: sinon.spy() };
  });

  it('applies verified bundles and starts with them again after a restart', async () => {
    const first = await open();
    assert.equal(first.store.receive('trust', trustList(3)).status, 'applied');
    assert.equal(first.store.receive('deny', denyList(2, [7n])).status, 'applied');
    assert.equal(first.store.receive('fares', fares(1)).status, 'applied');
    assert.equal(listeners.onFares.firstCall.args[0].passbackSeconds, 300);
    const second = await open();
    assert.deepEqual(second.store.versions(), { trust: 3, deny: 2, fares: 1 });
    assert.equal(second.trust.isDenied(7n), true);
  });

  it('refuses a rollback, a tampered bundle and a bundle signed by another root, keeping what it holds', async () => {
    const { store } = await open();
    store.receive('trust', trustList(5));
    const rollback = store.receive('trust', trustList(4));
    assert.equal(rollback.status, 'refused');
    assert.match(rollback.reason!, /rollback/);
    const tampered = trustList(6);
    tampered[tampered.length - 3]! ^= 0xff;
    assert.equal(store.receive('trust', tampered).status, 'refused');
    const stranger = signingKeyFrom(generateEd25519().privateKey);
    assert.equal(store.receive('trust', signTrustList({ version: 9, issuedAt: 1, issuers: [] }, stranger)).status, 'refused');
    assert.equal(store.receive('trust', trustList(5)).status, 'same');
    assert.deepEqual(store.versions(), { trust: 5 });
  });

  it('replays deny deltas on top of the stored list after a restart, and drops them when a full list arrives', async () => {
    const first = await open();
    first.store.receive('deny', denyList(1, [1n]));
    const delta = signDenyDelta({ version: 2, issuedAt: 1, baseVersion: 1, add: DenySet.fromUnsorted([2n]), remove: DenySet.fromUnsorted([1n]) }, root);
    assert.equal(first.store.receive('deny-delta', delta).status, 'applied');
    const second = await open();
    assert.equal(second.trust.denyVersion, 2);
    assert.equal(second.trust.isDenied(2n), true);
    assert.equal(second.trust.isDenied(1n), false);
    second.store.receive('deny', denyList(3, [3n]));
    assert.deepEqual(readdirSync(join(dir, 'deny-deltas')), []);
  });

  it('takes commands only for its own device', async () => {
    const { store } = await open();
    const mine = signGateCommand({ version: 1, issuedAt: 1, device: 'gate-1', command: 'out-of-service', reason: 'works' }, root);
    const other = signGateCommand({ version: 2, issuedAt: 1, device: 'gate-2', command: 'emergency-open' }, root);
    assert.equal(store.receive('command', mine).status, 'applied');
    assert.equal(store.receive('command', other).status, 'refused');
    assert.equal(listeners.onCommand.callCount, 1);
    assert.equal(listeners.onCommand.firstCall.args[0].command, 'out-of-service');
  });

  it('starts from a corrupt stored bundle without it, saying so', async () => {
    writeFileSync(join(dir, 'trust.cbor'), 'not a bundle');
    const { trust } = await open();
    assert.equal(trust.trustVersion, undefined);
  });
  it('keeps a deny delta that arrives before the full list it needs and applies it once that list is in', async () => {
    const { store, trust } = await open();
    const delta = signDenyDelta({ version: 3, issuedAt: 1, baseVersion: 2, add: DenySet.fromUnsorted([9n]), remove: DenySet.fromUnsorted([]) }, root);
    assert.equal(store.receive('deny-delta', delta).status, 'deferred');
    assert.equal(trust.isDenied(9n), false);
    assert.equal(store.receive('deny', denyList(2, [7n])).status, 'applied');
    assert.deepEqual(store.versions(), { deny: 3 });
    assert.deepEqual([7n, 9n].map((value) => trust.isDenied(value)), [true, true]);
    const again = await open();
    assert.equal(again.trust.isDenied(9n), true, 'the delta applied late was kept on disk too');
  });
});
