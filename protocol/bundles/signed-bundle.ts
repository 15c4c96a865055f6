/**
 * Signed bundles: the trust list, deny list and other downlink data, each a
 * COSE_Sign1 with a type, a version that only grows and an issue time. Validators pin
 * the root public key and refuse anything unsigned, badly signed, of another type, or
 * older than what they hold.
 *
 * The signing chain (docs/protocol.md, "Signing chain"): the root signs trust lists and
 * signing-key certificates itself and can stay offline; a gateway signs the other
 * bundles with an online signing key, and each such bundle carries the key's root-signed
 * certificate (`crt`): key id, public key, validity, the bundle types it may sign. A
 * verifier checks the certificate with the root key, then the bundle with the
 * certified key; the root revokes a signing key in the trust list.
 */
import { KeyObject } from 'node:crypto';
import { decodeCbor, encodeCbor, isBytes, isUint } from '../ticket/cbor.ts';
import { buildCoseSign1, MalformedError, parseCoseSign1, sigStructure, type CoseSign1 } from '../ticket/cose-sign1.ts';
import { publicKeyFromRaw, signEd25519, toHex, verifyEd25519, type SigningKey } from '../ticket/ed25519.ts';

export class BundleError extends Error {}

export const SIGNING_CERT_TYPE = 'faregate.signing-key/1';
/** Only the root itself signs these: a signing key can neither change the trust list nor certify keys. */
export const ROOT_ONLY_TYPES: readonly string[] = ['faregate.trust/1', SIGNING_CERT_TYPE];

export interface BundleHeader {
  type: string;
  version: number;
  /** Unix seconds at which the bundle was signed. */
  issuedAt: number;
}

export interface OpenedBundle extends BundleHeader {
  body: Map<string, unknown>;
  /** `root`, or the hex kid of the certified signing key that signed it. */
  signer: string;
}

/** The root key, or a signing key with the root-signed certificate that goes into every bundle it signs. */
export interface BundleSigner extends SigningKey {
  certificate?: Uint8Array;
}

/** What a verifier trusts: the pinned root key, and what the root said in the trust list it holds. */
export interface BundleAnchor {
  rootPublicKey: KeyObject;
  /** True for a signing key (hex kid) the root has revoked. */
  isRevokedSigner?(kidHex: string): boolean;
  /** A certificate that ended at or before this second is refused (the held trust list's issue time: a time the root vouched for). */
  certificatesValidAfter?: number;
}

export interface SigningCertificate {
  kid: Uint8Array;
  publicKey: Uint8Array;
  notBefore: number;
  notAfter: number;
  /** The bundle types the key may sign. */
  types: string[];
}

export function signBundle(header: BundleHeader, body: Map<string, unknown>, signer: BundleSigner): Uint8Array {
  const payload = new Map<string, unknown>([
    ['typ', header.type],
    ['ver', header.version],
    ['iat', header.issuedAt],
  ]);
  if (signer.certificate) payload.set('crt', signer.certificate);
  for (const [key, value] of body) payload.set(key, value);
  return buildCoseSign1(encodeCbor(payload), signer.kid, (tbs) => signEd25519(signer.privateKey, tbs));
}

/** The root's certificate for a signing key: itself a root-signed bundle. */
export function certifySigningKey(certificate: SigningCertificate, root: SigningKey, issuedAt: number): Uint8Array {
  const body = new Map<string, unknown>([
    ['kid', certificate.kid],
    ['pub', certificate.publicKey],
    ['nbf', certificate.notBefore],
    ['exp', certificate.notAfter],
    ['knd', certificate.types],
  ]);
  return signBundle({ type: SIGNING_CERT_TYPE, version: issuedAt, issuedAt }, body, root);
}

export function openSigningCertificate(bytes: Uint8Array, rootPublicKey: KeyObject): SigningCertificate {
  const { body } = openBundle(bytes, rootPublicKey, SIGNING_CERT_TYPE);
  const [kid, publicKey, notBefore, notAfter, types]: unknown[] = ['kid', 'pub', 'nbf', 'exp', 'knd'].map((key) => body.get(key));
  if (!isBytes(kid) || kid.length !== 8) throw new BundleError('signing certificate kid must be 8 bytes');
  if (!isBytes(publicKey) || publicKey.length !== 32) throw new BundleError('signing certificate pub must be 32 bytes');
  if (!isUint(notBefore) || !isUint(notAfter) || notAfter <= notBefore) {
    throw new BundleError('signing certificate nbf and exp must be unsigned integers, exp after nbf');
  }
  if (!Array.isArray(types) || !types.every((type) => typeof type === 'string')) {
    throw new BundleError('signing certificate knd must be an array of bundle types');
  }
  return { kid, publicKey, notBefore, notAfter, types: types as string[] };
}

function parseEnvelope(bytes: Uint8Array, expectedType: string): { cose: CoseSign1; payload: Map<string, unknown> } {
  let cose;
  try {
    cose = parseCoseSign1(bytes);
  } catch (error) {
    throw new BundleError(`${expectedType} bundle is malformed: ${(error as MalformedError).message}`);
  }
  let payload: unknown;
  try {
    payload = decodeCbor(cose.payload);
  } catch (error) {
    throw new BundleError(`${expectedType} bundle payload is not CBOR: ${(error as Error).message}`);
  }
  if (!(payload instanceof Map)) throw new BundleError(`${expectedType} bundle payload must be a map`);
  return { cose, payload: payload as Map<string, unknown> };
}

/** The key that must have signed the bundle: the root, or the signing key its certificate names. */
function signerOf(cose: CoseSign1, payload: Map<string, unknown>, anchor: BundleAnchor, expectedType: string) {
  const certificate: unknown = payload.get('crt');
  if (certificate === undefined) return { name: 'root', key: anchor.rootPublicKey };
  if (ROOT_ONLY_TYPES.includes(expectedType)) throw new BundleError(`${expectedType} bundle must be signed by the root key itself`);
  if (!isBytes(certificate)) throw new BundleError(`${expectedType} bundle crt must be a byte string`);
  const cert = openSigningCertificate(certificate, anchor.rootPublicKey);
  const kid = toHex(cert.kid);
  const where = `${expectedType} bundle signing key ${kid}`;
  if (!cose.kid || toHex(cose.kid) !== kid) throw new BundleError(`${where}: the bundle's kid is not the certified key's`);
  if (anchor.isRevokedSigner?.(kid)) throw new BundleError(`${where} is revoked by the root`);
  if (!cert.types.includes(expectedType)) throw new BundleError(`${where} is not certified for ${expectedType}`);
  const issuedAt: unknown = payload.get('iat');
  if (!isUint(issuedAt) || issuedAt < cert.notBefore || issuedAt >= cert.notAfter) {
    throw new BundleError(`${where}: bundle signed outside the certificate's validity`);
  }
  if (anchor.certificatesValidAfter !== undefined && cert.notAfter <= anchor.certificatesValidAfter) {
    throw new BundleError(`${where}: certificate expired before the trust list held was issued`);
  }
  return { name: kid, key: publicKeyFromRaw(cert.publicKey) };
}

/** Verifies a bundle through the root key (directly or by a certified signing key) and checks its type; throws BundleError. */
export function openBundle(bytes: Uint8Array, trust: KeyObject | BundleAnchor, expectedType: string): OpenedBundle {
  const anchor: BundleAnchor = trust instanceof KeyObject ? { rootPublicKey: trust } : trust;
  const { cose, payload } = parseEnvelope(bytes, expectedType);
  const signer = signerOf(cose, payload, anchor, expectedType);
  if (!verifyEd25519(signer.key, sigStructure(cose.protectedBytes, cose.payload), cose.signature)) {
    const key = signer.name === 'root' ? 'the pinned root key' : `signing key ${signer.name}`;
    throw new BundleError(`${expectedType} bundle signature does not verify with ${key}`);
  }
  const type: unknown = payload.get('typ');
  const version: unknown = payload.get('ver');
  const issuedAt: unknown = payload.get('iat');
  if (type !== expectedType) throw new BundleError(`expected a ${expectedType} bundle, got ${String(type)}`);
  if (!isUint(version)) throw new BundleError(`${expectedType} bundle version must be an unsigned integer`);
  if (!isUint(issuedAt)) throw new BundleError(`${expectedType} bundle iat must be an unsigned integer`);
  return { type, version, issuedAt, body: payload, signer: signer.name };
}

/** Refuses a bundle older than the one held (rollback); an equal version is a re-delivery. */
export function checkNotRollback(type: string, held: number | undefined, offered: number): 'newer' | 'same' {
  if (held === undefined || offered > held) return 'newer';
  if (offered === held) return 'same';
  throw new BundleError(`${type} bundle version ${offered} is older than the held version ${held} (rollback refused)`);
}
