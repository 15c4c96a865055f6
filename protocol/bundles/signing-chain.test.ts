import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateEd25519, kidOf, rawPublicKey, signingKeyFrom, toHex, type SigningKey } from '../ticket/ed25519.ts';
import { DEFAULT_CHECK_SETTINGS } from './check-settings.ts';
import { DENY_DELTA_TYPE, DENY_LIST_TYPE, DenySet, openDenyList, signDenyList } from './deny-list.ts';
import { COMMAND_TYPE, FARES_TYPE, openFareSettings, openTimeBeacon, signFareSettings, signTimeBeacon, TIME_TYPE } from './downlink-bundles.ts';
import {
  BundleError,
  certifySigningKey,
  openBundle,
  openSigningCertificate,
  signBundle,
  SIGNING_CERT_TYPE,
  type BundleAnchor,
  type BundleSigner,
} from './signed-bundle.ts';
import { openTrustList, signTrustList } from './trust-list.ts';

const NOW = 1_767_225_600;
const DAY = 86_400;
const root = signingKeyFrom(generateEd25519().privateKey);
const rootPublicKey = createPublicKey(root.privateKey);
const otherRoot = signingKeyFrom(generateEd25519().privateKey);
const OPERATIONAL = [DENY_LIST_TYPE, DENY_DELTA_TYPE, FARES_TYPE, COMMAND_TYPE, TIME_TYPE];

function signingKey(options: { types?: string[]; notBefore?: number; notAfter?: number; by?: SigningKey } = {}): BundleSigner {
  const pair = generateEd25519();
  const raw = rawPublicKey(pair.publicKey);
  const certificate = certifySigningKey(
    { kid: kidOf(raw), publicKey: raw, notBefore: options.notBefore ?? NOW - DAY, notAfter: options.notAfter ?? NOW + 90 * DAY, types: options.types ?? OPERATIONAL },
    options.by ?? root,
    NOW - DAY,
  );
  return { ...signingKeyFrom(pair.privateKey), certificate };
}

const denyList = (signer: BundleSigner, issuedAt = NOW): Uint8Array =>
  signDenyList({ version: 2, issuedAt, entries: DenySet.fromUnsorted([7n]) }, signer);

function refused(open: () => unknown, message: RegExp): void {
  assert.throws(open, (error: unknown) => error instanceof BundleError && message.test(error.message));
}

describe('signing chain: root → certified signing key → bundle', () => {
  const gatewayKey = signingKey();
  const anchor: BundleAnchor = { rootPublicKey };

  test('opens every operational bundle a certified signing key signed, naming the signer', () => {
    const deny = openBundle(denyList(gatewayKey), anchor, DENY_LIST_TYPE);
    assert.equal(deny.signer, toHex(gatewayKey.kid));
    assert.deepEqual([...openDenyList(denyList(gatewayKey), anchor).entries.entries], [7n]);
    const fares = signFareSettings({ ...DEFAULT_CHECK_SETTINGS, version: 3, issuedAt: NOW }, gatewayKey);
    assert.equal(openFareSettings(fares, anchor).version, 3);
    assert.equal(openTimeBeacon(signTimeBeacon(NOW * 1000, gatewayKey), anchor).timeMs, NOW * 1000);
  });

  test('the certificate reads back: kid, key, window, types', () => {
    const cert = openSigningCertificate(gatewayKey.certificate!, rootPublicKey);
    assert.equal(toHex(cert.kid), toHex(gatewayKey.kid));
    assert.deepEqual([cert.notBefore, cert.notAfter], [NOW - DAY, NOW + 90 * DAY]);
    assert.deepEqual(cert.types, OPERATIONAL);
  });

  test('still opens bundles the root signed itself', () => {
    assert.equal(openBundle(denyList(root), anchor, DENY_LIST_TYPE).signer, 'root');
  });

  test('refuses a bundle signed by an uncertified key (no certificate, or the certificate of another key)', () => {
    const stranger = signingKeyFrom(generateEd25519().privateKey);
    refused(() => openDenyList(denyList(stranger), anchor), /does not verify with the pinned root key/);
    refused(() => openDenyList(denyList({ ...stranger, certificate: gatewayKey.certificate! }), anchor), /kid is not the certified key's/);
    // The certified kid in the header, but another private key signed.
    refused(() => openDenyList(denyList({ ...stranger, kid: gatewayKey.kid, certificate: gatewayKey.certificate! }), anchor), /does not verify with signing key/);
  });

  test('refuses a signing key certified by another root', () => {
    refused(() => openDenyList(denyList(signingKey({ by: otherRoot })), anchor), /signing-key\/1 bundle signature does not verify with the pinned root key/);
  });

  test('refuses a bundle signed by a signing key the root has revoked', () => {
    const revoked: BundleAnchor = { rootPublicKey, isRevokedSigner: (kid) => kid === toHex(gatewayKey.kid) };
    refused(() => openDenyList(denyList(gatewayKey), revoked), /is revoked by the root/);
    refused(() => openTimeBeacon(signTimeBeacon(NOW * 1000, gatewayKey), revoked), /is revoked by the root/);
  });

  test('refuses a bundle type the key is not certified for', () => {
    const denyOnly = signingKey({ types: [DENY_LIST_TYPE] });
    assert.equal(openDenyList(denyList(denyOnly), anchor).version, 2);
    refused(() => openTimeBeacon(signTimeBeacon(NOW * 1000, denyOnly), anchor), /is not certified for faregate.time\/1/);
  });

  test('refuses a bundle signed outside the certificate window, and a certificate that ended before the trust list held', () => {
    refused(() => openDenyList(denyList(gatewayKey, NOW - 2 * DAY), anchor), /outside the certificate's validity/);
    refused(() => openDenyList(denyList(gatewayKey, NOW + 90 * DAY), anchor), /outside the certificate's validity/);
    const later: BundleAnchor = { rootPublicKey, certificatesValidAfter: NOW + 90 * DAY };
    refused(() => openDenyList(denyList(gatewayKey), later), /expired before the trust list held/);
  });

  test('only the root signs trust lists and certificates: a signing key can neither change the trust list nor certify keys', () => {
    const allTypes = signingKey({ types: [...OPERATIONAL, 'faregate.trust/1', SIGNING_CERT_TYPE] });
    const trust = signTrustList({ version: 9, issuedAt: NOW, issuers: [] }, allTypes);
    refused(() => openTrustList(trust, rootPublicKey), /trust\/1 bundle must be signed by the root key itself/);
    const pair = generateEd25519();
    const raw = rawPublicKey(pair.publicKey);
    const chained = certifySigningKey({ kid: kidOf(raw), publicKey: raw, notBefore: 0, notAfter: NOW * 2, types: OPERATIONAL }, allTypes, NOW);
    const grandchild: BundleSigner = { ...signingKeyFrom(pair.privateKey), certificate: chained };
    refused(() => openDenyList(denyList(grandchild), anchor), /signing-key\/1 bundle must be signed by the root key itself/);
  });

  test('refuses a certificate that is not a byte string, or whose fields are wrong', () => {
    const notBytes = signBundle({ type: DENY_LIST_TYPE, version: 1, issuedAt: NOW }, new Map<string, unknown>([['crt', 'cert'], ['ent', new Uint8Array(0)]]), gatewayKey);
    refused(() => openDenyList(notBytes, anchor), /crt must be a byte string/);
    const badWindow = signBundle({ type: SIGNING_CERT_TYPE, version: 1, issuedAt: NOW }, new Map<string, unknown>([['kid', gatewayKey.kid], ['pub', new Uint8Array(32)], ['nbf', 5], ['exp', 5], ['knd', []]]), root);
    refused(() => openSigningCertificate(badWindow, rootPublicKey), /exp after nbf/);
  });
});
