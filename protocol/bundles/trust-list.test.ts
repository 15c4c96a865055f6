import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateEd25519, kidOf, rawPublicKey, signingKeyFrom, toHex } from '../ticket/ed25519.ts';
import { DenySet, signDenyList } from './deny-list.ts';
import { BundleError, signBundle } from './signed-bundle.ts';
import { openTrustList, signTrustList, TRUST_LIST_TYPE, type TrustList } from './trust-list.ts';

const root = signingKeyFrom(generateEd25519().privateKey);
const rootPublic = createPublicKey(root.privateKey);
const other = signingKeyFrom(generateEd25519().privateKey);
const issuerRaw = rawPublicKey(generateEd25519().publicKey);
const busRaw = rawPublicKey(generateEd25519().publicKey);

const list: TrustList = {
  version: 3,
  issuedAt: 1_767_225_600,
  issuers: [
    { kid: kidOf(issuerRaw), publicKey: issuerRaw, notBefore: 1_700_000_000, notAfter: 1_800_000_000, operator: 'metro.example' },
    { kid: kidOf(busRaw), publicKey: busRaw, notBefore: 0 },
  ],
};

function withIssuer(entry: Map<string, unknown>): Uint8Array {
  return signBundle({ type: TRUST_LIST_TYPE, version: 1, issuedAt: 0 }, new Map([['iss', [entry]]]), root);
}

const goodEntry = (): Map<string, unknown> =>
  new Map<string, unknown>([
    ['kid', kidOf(issuerRaw)],
    ['pub', issuerRaw],
    ['nbf', 0],
  ]);

describe('trust list', () => {
  test('opens what it signs: version, issue time and every issuer with its window and operator', () => {
    const opened = openTrustList(signTrustList(list, root), rootPublic);
    assert.equal(opened.version, 3);
    assert.equal(opened.issuedAt, 1_767_225_600);
    assert.equal(opened.issuers.length, 2);
    const [metro, bus] = opened.issuers;
    assert.equal(toHex(metro!.publicKey), toHex(issuerRaw));
    assert.equal(toHex(metro!.kid), toHex(kidOf(issuerRaw)));
    assert.equal(metro!.notBefore, 1_700_000_000);
    assert.equal(metro!.notAfter, 1_800_000_000);
    assert.equal(metro!.operator, 'metro.example');
    assert.equal(bus!.notAfter, undefined);
    assert.equal(bus!.operator, undefined);
    assert.equal('notAfter' in bus!, false);
  });

  test('refuses a trust list signed by another key', () => {
    assert.throws(() => openTrustList(signTrustList(list, other), rootPublic), /does not verify with the pinned root key/);
  });

  test('refuses a deny list offered as a trust list', () => {
    const deny = signDenyList({ version: 9, issuedAt: 0, entries: DenySet.fromUnsorted([]) }, root);
    assert.throws(() => openTrustList(deny, rootPublic), /expected a faregate.trust\/1 bundle, got faregate.deny\/1/);
  });

  test('refuses a trust list whose issuers are not an array', () => {
    const bytes = signBundle({ type: TRUST_LIST_TYPE, version: 1, issuedAt: 0 }, new Map([['iss', 'none']]), root);
    assert.throws(() => openTrustList(bytes, rootPublic), /iss must be an array/);
  });

  const badEntries: Array<[string, string, unknown, RegExp]> = [
    ['a 7-byte kid', 'kid', new Uint8Array(7), /kid must be 8 bytes/],
    ['a 31-byte public key', 'pub', new Uint8Array(31), /pub must be 32 bytes/],
    ['a text nbf', 'nbf', '0', /nbf must be an unsigned integer/],
    ['a negative exp', 'exp', -1, /exp must be an unsigned integer/],
    ['a numeric operator', 'opr', 7, /opr must be text/],
  ];
  for (const [what, field, value, message] of badEntries) {
    test(`refuses an issuer with ${what}`, () => {
      const entry = goodEntry();
      entry.set(field, value);
      assert.throws(() => openTrustList(withIssuer(entry), rootPublic), (error: unknown) => {
        assert.ok(error instanceof BundleError);
        assert.match(error.message, /trust list issuer 0/);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('refuses an issuer entry that is not a map', () => {
    const bytes = signBundle({ type: TRUST_LIST_TYPE, version: 1, issuedAt: 0 }, new Map([['iss', [[1, 2]]]]), root);
    assert.throws(() => openTrustList(bytes, rootPublic), /issuer 0 must be a map/);
  });
});
