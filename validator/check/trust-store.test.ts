import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DENY_DELTA_TYPE, DENY_LIST_TYPE, denyHashOfTicket, DenySet, signDenyDelta, signDenyList } from '../../protocol/bundles/deny-list.ts';
import { BundleError, certifySigningKey, type BundleSigner } from '../../protocol/bundles/signed-bundle.ts';
import { signTrustList, type TrustedIssuer } from '../../protocol/bundles/trust-list.ts';
import { toHex } from '../../protocol/ticket/ed25519.ts';
import { makeKey, NOW } from './test-fixtures.ts';
import { TrustStore } from './trust-store.ts';

const root = makeKey('root');
const impostor = makeKey('impostor');
const a = makeKey('issuer-a');
const b = makeKey('issuer-b');
const entry = (key: ReturnType<typeof makeKey>): TrustedIssuer => ({ kid: key.kid, publicKey: key.raw, notBefore: 0 });
const trustList = (version: number, issuers: TrustedIssuer[], signer: BundleSigner = root) =>
  signTrustList({ version, issuedAt: NOW, issuers }, signer);
const denyList = (version: number, values: bigint[], signer: BundleSigner = root) =>
  signDenyList({ version, issuedAt: NOW, entries: DenySet.fromUnsorted(values) }, signer);
const denyDelta = (version: number, baseVersion: number, add: bigint[], remove: bigint[] = []) =>
  signDenyDelta(
    { version, issuedAt: NOW, baseVersion, add: DenySet.fromUnsorted(add), remove: DenySet.fromUnsorted(remove) },
    root,
  );

function storeWith(version: number, issuers: TrustedIssuer[]): TrustStore {
  const store = new TrustStore(root.publicKey);
  assert.equal(store.applyTrustList(trustList(version, issuers)), 'applied');
  return store;
}

function assertRefused(apply: () => unknown, message: RegExp): void {
  assert.throws(apply, (error: unknown) => {
    assert.ok(error instanceof BundleError, `expected BundleError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('TrustStore: trust lists', () => {
  test('installs a trust list and finds its keys by kid', () => {
    const store = storeWith(2, [entry(a), entry(b)]);
    assert.equal(store.trustVersion, 2);
    assert.equal(toHex(store.issuersFor(toHex(a.kid))![0]!.publicKey), toHex(a.raw));
    assert.equal(store.issuersFor(toHex(makeKey('nobody').kid)), undefined);
  });

  test('keeps every key listed under one kid, in list order', () => {
    const store = storeWith(1, [entry(a), { ...entry(b), kid: a.kid }]);
    const keys = store.issuersFor(toHex(a.kid))!;
    assert.deepEqual(
      keys.map((key) => toHex(key.publicKey)),
      [toHex(a.raw), toHex(b.raw)],
    );
  });

  test('reports the same version as "same" and keeps the held list and generation', () => {
    const store = storeWith(3, [entry(a)]);
    const generation = store.generation;
    assert.equal(store.applyTrustList(trustList(3, [entry(b)])), 'same');
    assert.equal(store.generation, generation);
    assert.ok(store.issuersFor(toHex(a.kid)));
    assert.equal(store.issuersFor(toHex(b.kid)), undefined);
  });

  test('refuses a lower version as a rollback and keeps the held list', () => {
    const store = storeWith(5, [entry(a)]);
    assertRefused(() => store.applyTrustList(trustList(4, [entry(b)])), /rollback/);
    assert.equal(store.trustVersion, 5);
    assert.ok(store.issuersFor(toHex(a.kid)));
    assert.equal(store.issuersFor(toHex(b.kid)), undefined);
  });

  test('a newer version replaces the keys and bumps the generation', () => {
    const store = storeWith(5, [entry(a)]);
    const generation = store.generation;
    assert.equal(store.applyTrustList(trustList(6, [entry(b)])), 'applied');
    assert.ok(store.generation > generation);
    assert.equal(store.issuersFor(toHex(a.kid)), undefined);
    assert.ok(store.issuersFor(toHex(b.kid)));
  });

  test('refuses a tampered trust list (any payload byte flipped) and keeps the held list', () => {
    const store = storeWith(1, [entry(a)]);
    const offered = trustList(2, [entry(b)]);
    for (const index of [20, 40, 60, offered.length - 70]) {
      const tampered = Uint8Array.from(offered);
      tampered[index]! ^= 0x04;
      assert.throws(() => store.applyTrustList(tampered), BundleError, `byte ${index}`);
    }
    assert.equal(store.trustVersion, 1);
    assert.ok(store.issuersFor(toHex(a.kid)));
  });

  test('refuses a trust list signed by another key and keeps the held list', () => {
    const store = storeWith(1, [entry(a)]);
    assertRefused(() => store.applyTrustList(trustList(9, [entry(impostor)], impostor)), /pinned root key/);
    assert.equal(store.trustVersion, 1);
    assert.equal(store.issuersFor(toHex(impostor.kid)), undefined);
  });

  test('refuses a deny list offered as a trust list', () => {
    const store = storeWith(1, [entry(a)]);
    assertRefused(() => store.applyTrustList(denyList(9, [])), /expected a faregate.trust\/1 bundle/);
    assert.equal(store.trustVersion, 1);
  });
});

describe('TrustStore: deny lists', () => {
  test('holds no deny list at first and denies nothing', () => {
    const store = new TrustStore(root.publicKey);
    assert.equal(store.denyVersion, undefined);
    assert.equal(store.isDenied(denyHashOfTicket(new Uint8Array(12))), false);
  });

  test('installs a deny list; same version is "same"; a lower one is "older" and changes nothing', () => {
    const store = new TrustStore(root.publicKey);
    assert.equal(store.applyDenyList(denyList(3, [1n, 2n])), 'applied');
    assert.equal(store.isDenied(2n), true);
    assert.equal(store.applyDenyList(denyList(3, [9n])), 'same');
    assert.equal(store.isDenied(9n), false);
    assert.equal(store.applyDenyList(denyList(2, [9n])), 'older', 'never applied');
    assert.equal(store.denyVersion, 3);
    assert.equal(store.isDenied(9n), false);
    assert.equal(store.isDenied(1n), true);
  });

  test('refuses a deny list signed by another key, or tampered, and keeps the held one', () => {
    const store = new TrustStore(root.publicKey);
    store.applyDenyList(denyList(1, [1n]));
    assertRefused(() => store.applyDenyList(denyList(2, [], impostor)), /pinned root key/);
    const tampered = Uint8Array.from(denyList(2, []));
    tampered[30]! ^= 0x01;
    assert.throws(() => store.applyDenyList(tampered), BundleError);
    assert.equal(store.denyVersion, 1);
    assert.equal(store.isDenied(1n), true);
  });

  test('applies a delta made on the held version', () => {
    const store = new TrustStore(root.publicKey);
    store.applyDenyList(denyList(4, [1n, 2n]));
    assert.equal(store.applyDenyDelta(denyDelta(5, 4, [3n], [1n])), 'applied');
    assert.equal(store.denyVersion, 5);
    assert.deepEqual([1n, 2n, 3n].map((v) => store.isDenied(v)), [false, true, true]);
    assert.equal(store.denySize, 2);
  });

  test('leaves a delta made on a newer version waiting and keeps the held list', () => {
    const store = new TrustStore(root.publicKey);
    store.applyDenyList(denyList(4, [1n]));
    assert.equal(store.applyDenyDelta(denyDelta(6, 5, [3n])), 'waits-for-base');
    assert.equal(store.denyVersion, 4);
    assert.equal(store.isDenied(3n), false);
  });

  test('ignores a verified full deny list older than the held one (deltas moved past it), without applying it', () => {
    const store = new TrustStore(root.publicKey);
    store.applyDenyList(denyList(5, [1n]));
    assert.equal(store.applyDenyList(denyList(4, [9n])), 'older');
    assert.equal(store.denyVersion, 5);
    assert.equal(store.isDenied(9n), false);
  });

  test('applies a cumulative delta made on an older version than the held one', () => {
    const store = new TrustStore(root.publicKey);
    store.applyDenyList(denyList(5, [1n, 3n]));
    assert.equal(store.applyDenyDelta(denyDelta(6, 4, [3n, 8n])), 'applied');
    assert.deepEqual([1n, 3n, 8n].map((v) => store.isDenied(v)), [true, true, true]);
  });

  test('refuses an older delta as a rollback; an equal version is "same"', () => {
    const store = new TrustStore(root.publicKey);
    store.applyDenyList(denyList(4, [1n]));
    assertRefused(() => store.applyDenyDelta(denyDelta(3, 2, [7n])), /rollback/);
    assert.equal(store.applyDenyDelta(denyDelta(4, 3, [7n])), 'same');
    assert.equal(store.isDenied(7n), false);
  });

  test('refuses a trust list offered as a deny list', () => {
    const store = new TrustStore(root.publicKey);
    assertRefused(() => store.applyDenyList(trustList(1, [entry(a)])), /expected a faregate.deny\/1 bundle/);
    assert.equal(store.denyVersion, undefined);
  });
});

describe('TrustStore: the signing chain', () => {
  const gateway = makeKey('gateway-signing');
  const certificate = certifySigningKey(
    { kid: gateway.kid, publicKey: gateway.raw, notBefore: NOW - 3600, notAfter: NOW + 90 * 86_400, types: [DENY_LIST_TYPE, DENY_DELTA_TYPE] },
    root,
    NOW - 3600,
  );
  const signer = { kid: gateway.kid, privateKey: gateway.privateKey, certificate };

  test('accepts deny lists from a certified signing key until the root revokes it in a newer trust list', () => {
    const store = storeWith(1, [entry(a)]);
    assert.equal(store.applyDenyList(denyList(1, [1n], signer)), 'applied');
    assert.equal(store.applyTrustList(signTrustList({ version: 2, issuedAt: NOW, issuers: [entry(a)], revokedSigners: [gateway.kid] }, root)), 'applied');
    assert.equal(store.isRevokedSigner(toHex(gateway.kid)), true);
    assertRefused(() => store.applyDenyList(denyList(2, [1n, 2n], signer)), /signing key [0-9a-f]{16} is revoked by the root/);
    assert.equal(store.denyVersion, 1);
    // The root itself still signs.
    assert.equal(store.applyDenyList(denyList(2, [1n, 2n])), 'applied');
  });

  test('refuses a trust list signed by a signing key, even one certified for everything', () => {
    const everything = certifySigningKey(
      { kid: gateway.kid, publicKey: gateway.raw, notBefore: 0, notAfter: NOW * 2, types: ['faregate.trust/1', DENY_LIST_TYPE] },
      root,
      NOW,
    );
    const store = new TrustStore(root.publicKey);
    assertRefused(() => store.applyTrustList(trustList(1, [entry(impostor)], { ...signer, certificate: everything })), /must be signed by the root key itself/);
    assert.equal(store.trustVersion, undefined);
  });
});
