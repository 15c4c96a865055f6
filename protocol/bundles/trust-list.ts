/**
 * The trust list: the issuer keys a validator accepts tickets from, each with
 * its kid, validity window and operator. Signed by the root key.
 */
import type { KeyObject } from 'node:crypto';
import { isBytes, isUint } from '../ticket/cbor.ts';
import type { SigningKey } from '../ticket/ed25519.ts';
import { BundleError, openBundle, signBundle } from './signed-bundle.ts';

export const TRUST_LIST_TYPE = 'faregate.trust/1';

export interface TrustedIssuer {
  kid: Uint8Array;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** The key signs tickets issued at or after this second... */
  notBefore: number;
  /** ...and before this second; absent = open-ended. */
  notAfter?: number;
  /** The operator id a ticket's `iss` must name, when it names one. */
  operator?: string;
}

export interface TrustList {
  version: number;
  issuedAt: number;
  issuers: TrustedIssuer[];
  /** Kids of signing keys the root has revoked: bundles they signed are refused (signed-bundle.ts). */
  revokedSigners?: Uint8Array[];
}

export function signTrustList(list: TrustList, root: SigningKey): Uint8Array {
  const issuers = list.issuers.map((issuer) => {
    const entry = new Map<string, unknown>([
      ['kid', issuer.kid],
      ['pub', issuer.publicKey],
      ['nbf', issuer.notBefore],
    ]);
    if (issuer.notAfter !== undefined) entry.set('exp', issuer.notAfter);
    if (issuer.operator !== undefined) entry.set('opr', issuer.operator);
    return entry;
  });
  const body = new Map<string, unknown>([['iss', issuers]]);
  if (list.revokedSigners && list.revokedSigners.length > 0) body.set('rvk', list.revokedSigners);
  return signBundle({ type: TRUST_LIST_TYPE, version: list.version, issuedAt: list.issuedAt }, body, root);
}

function parseIssuer(entry: unknown, index: number): TrustedIssuer {
  const where = `trust list issuer ${index}`;
  if (!(entry instanceof Map)) throw new BundleError(`${where} must be a map`);
  const kid: unknown = entry.get('kid');
  const publicKey: unknown = entry.get('pub');
  const notBefore: unknown = entry.get('nbf');
  const notAfter: unknown = entry.get('exp');
  const operator: unknown = entry.get('opr');
  if (!isBytes(kid) || kid.length !== 8) throw new BundleError(`${where}: kid must be 8 bytes`);
  if (!isBytes(publicKey) || publicKey.length !== 32) throw new BundleError(`${where}: pub must be 32 bytes`);
  if (!isUint(notBefore)) throw new BundleError(`${where}: nbf must be an unsigned integer`);
  if (notAfter !== undefined && !isUint(notAfter)) throw new BundleError(`${where}: exp must be an unsigned integer`);
  if (operator !== undefined && typeof operator !== 'string') throw new BundleError(`${where}: opr must be text`);
  const issuer: TrustedIssuer = { kid, publicKey, notBefore };
  if (notAfter !== undefined) issuer.notAfter = notAfter;
  if (operator !== undefined) issuer.operator = operator;
  return issuer;
}

function parseRevokedSigners(value: unknown): Uint8Array[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((kid) => isBytes(kid) && kid.length === 8)) {
    throw new BundleError('trust list rvk must be an array of 8-byte kids');
  }
  return value as Uint8Array[];
}

export function openTrustList(bytes: Uint8Array, rootPublicKey: KeyObject): TrustList {
  const bundle = openBundle(bytes, rootPublicKey, TRUST_LIST_TYPE);
  const issuers: unknown = bundle.body.get('iss');
  if (!Array.isArray(issuers)) throw new BundleError('trust list iss must be an array');
  const revokedSigners = parseRevokedSigners(bundle.body.get('rvk'));
  return { version: bundle.version, issuedAt: bundle.issuedAt, issuers: issuers.map(parseIssuer), revokedSigners };
}
