/**
 * The trust list file of a keys directory, re-signed by the root from the keyring: every
 * trusted issuer with its window and operator, and every revoked signing key. Versions
 * are taken from the signed file itself, so an interrupted command never reuses one.
 */
import { join } from 'node:path';
import { openTrustList, signTrustList, type TrustedIssuer } from '../protocol/bundles/trust-list.ts';
import { kidOf, parsePrivateKeyPem, parsePublicKeyPem, rawPublicKey, signingKeyFrom, type SigningKey } from '../protocol/ticket/ed25519.ts';
import type { KeysDirChange } from './keys-dir-change.ts';
import { issuerPublicPath, KEYS_FILES, type KeyringState } from './keys-dir.ts';

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** The root signing key, as this change will leave the directory (it may be the one just made). */
export function rootSigner(change: KeysDirChange, dir: string): SigningKey {
  const path = join(dir, KEYS_FILES.rootPrivate);
  return signingKeyFrom(parsePrivateKeyPem(change.readText(path), 'root private key'));
}

/** The version of a signed bundle file of `dir`, 0 when there is none yet. */
export function bundleVersion(change: KeysDirChange, dir: string, file: string, open: (bytes: Uint8Array) => { version: number }): number {
  const path = join(dir, file);
  return change.exists(path) ? open(change.readBytes(path)).version : 0;
}

/** Stages the next trust list of `state`; returns its version. Needs the root private key. */
export function stageTrustList(change: KeysDirChange, dir: string, state: KeyringState, now: Date): number {
  const rootPublic = parsePublicKeyPem(change.readText(join(dir, KEYS_FILES.rootPublic)), 'root public key');
  const version = bundleVersion(change, dir, KEYS_FILES.trustList, (bytes) => openTrustList(bytes, rootPublic)) + 1;
  const issuers: TrustedIssuer[] = state.issuers.map((entry) => {
    const publicKey = rawPublicKey(parsePublicKeyPem(change.readText(issuerPublicPath(dir, entry.kid)), `issuer ${entry.kid} public key`));
    const issuer: TrustedIssuer = { kid: kidOf(publicKey), publicKey, notBefore: seconds(entry.notBefore) };
    if (entry.notAfter !== undefined) issuer.notAfter = seconds(entry.notAfter);
    if (state.operator !== undefined) issuer.operator = state.operator;
    return issuer;
  });
  const revokedSigners = (state.signingKeys ?? []).filter((key) => key.revokedAt !== undefined).map((key) => new Uint8Array(Buffer.from(key.kid, 'hex')));
  const bytes = signTrustList({ version, issuedAt: seconds(now.toISOString()), issuers, revokedSigners }, rootSigner(change, dir));
  change.write(join(dir, KEYS_FILES.trustList), bytes);
  return version;
}
