/**
 * Ed25519 keys as node's crypto sees them (OpenSSL): PEM in PKCS#8 / SPKI, the
 * forms `openssl pkey` reads and writes, plus the raw 32-byte public key the
 * ticket format carries and the kid derived from it.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

// DER prefix of an SPKI Ed25519 public key (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
// DER prefix of a PKCS#8 Ed25519 private key carrying a 32-byte seed.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export class KeyError extends Error {}

export interface Ed25519KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateEd25519(): Ed25519KeyPair {
  return generateKeyPairSync('ed25519');
}

function requireEd25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new KeyError(`${what} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, expected Ed25519`);
  }
  return key;
}

export function rawPublicKey(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length));
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new KeyError(`an Ed25519 public key is 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The 32-byte seed of a private key (what tweetnacl and RFC 8032 call the secret key). */
export function privateKeySeed(privateKey: KeyObject): Uint8Array {
  return new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length));
}

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new KeyError(`an Ed25519 seed is 32 bytes, got ${seed.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** kid = the first 8 bytes of SHA-256 over the raw public key (ticket-format.md). */
export function kidOf(rawPublic: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(rawPublic).digest().subarray(0, 8));
}

export function parsePublicKeyPem(pem: string, what = 'public key'): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new KeyError(`${what} is not a PEM public key: ${(error as Error).message}`);
  }
  return requireEd25519(key, what);
}

export function parsePrivateKeyPem(pem: string, what = 'private key'): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new KeyError(`${what} is not a PEM private key: ${(error as Error).message}`);
  }
  return requireEd25519(key, what);
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

export function privateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function signEd25519(privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, data, privateKey));
}

export function verifyEd25519(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  return verify(null, data, publicKey, signature);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A private key with its kid: what signs tickets (issuer keys) and bundles (the root key). */
export interface SigningKey {
  kid: Uint8Array;
  privateKey: KeyObject;
}

export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  return { kid: kidOf(rawPublicKey(createPublicKey(privateKey))), privateKey };
}
