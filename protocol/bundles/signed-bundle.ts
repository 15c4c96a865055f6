/**
 * Signed bundles: the trust list, deny list and other downlink data, each a
 * COSE_Sign1 signed by the operator's root key with a type, a version that only
 * grows and an issue time. Validators pin the root public key and refuse anything
 * unsigned, badly signed, of another type, or older than what they hold.
 */
import type { KeyObject } from 'node:crypto';
import { decodeCbor, encodeCbor, isUint } from '../ticket/cbor.ts';
import { buildCoseSign1, MalformedError, parseCoseSign1, sigStructure } from '../ticket/cose-sign1.ts';
import { signEd25519, verifyEd25519, type SigningKey } from '../ticket/ed25519.ts';

export class BundleError extends Error {}

export interface BundleHeader {
  type: string;
  version: number;
  /** Unix seconds at which the bundle was signed. */
  issuedAt: number;
}

export interface OpenedBundle extends BundleHeader {
  body: Map<string, unknown>;
}

export function signBundle(header: BundleHeader, body: Map<string, unknown>, root: SigningKey): Uint8Array {
  const payload = new Map<string, unknown>([
    ['typ', header.type],
    ['ver', header.version],
    ['iat', header.issuedAt],
  ]);
  for (const [key, value] of body) payload.set(key, value);
  return buildCoseSign1(encodeCbor(payload), root.kid, (tbs) => signEd25519(root.privateKey, tbs));
}

/** Verifies a bundle with the pinned root key and checks its type; throws BundleError. */
export function openBundle(bytes: Uint8Array, rootPublicKey: KeyObject, expectedType: string): OpenedBundle {
  let cose;
  try {
    cose = parseCoseSign1(bytes);
  } catch (error) {
    throw new BundleError(`${expectedType} bundle is malformed: ${(error as MalformedError).message}`);
  }
  if (!verifyEd25519(rootPublicKey, sigStructure(cose.protectedBytes, cose.payload), cose.signature)) {
    throw new BundleError(`${expectedType} bundle signature does not verify with the pinned root key`);
  }
  let payload: unknown;
  try {
    payload = decodeCbor(cose.payload);
  } catch (error) {
    throw new BundleError(`${expectedType} bundle payload is not CBOR: ${(error as Error).message}`);
  }
  if (!(payload instanceof Map)) throw new BundleError(`${expectedType} bundle payload must be a map`);
  const type: unknown = payload.get('typ');
  const version: unknown = payload.get('ver');
  const issuedAt: unknown = payload.get('iat');
  if (type !== expectedType) throw new BundleError(`expected a ${expectedType} bundle, got ${String(type)}`);
  if (!isUint(version)) throw new BundleError(`${expectedType} bundle version must be an unsigned integer`);
  if (!isUint(issuedAt)) throw new BundleError(`${expectedType} bundle iat must be an unsigned integer`);
  return { type, version, issuedAt, body: payload as Map<string, unknown> };
}

/** Refuses a bundle older than the one held (rollback); an equal version is a re-delivery. */
export function checkNotRollback(type: string, held: number | undefined, offered: number): 'newer' | 'same' {
  if (held === undefined || offered > held) return 'newer';
  if (offered === held) return 'same';
  throw new BundleError(`${type} bundle version ${offered} is older than the held version ${held} (rollback refused)`);
}
