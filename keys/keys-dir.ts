/**
 * The layout of a keys directory and reading it back. The keyring state file is
 * written last by every command, so a command that fails part-way leaves the
 * previous state (and the bundles it describes) in force.
 *
 *   root.key.pem / root.pub.pem          the operator's root key (private: mode 0600)
 *   issuers/<kid>.key.pem / .pub.pem     issuer keys (private only for keys made here and not retired)
 *   signing/<kid>.key.pem / .cert.cbor   online signing keys and their root-signed certificates
 *   trust-list.cbor, deny-list.cbor      the signed bundles validators load
 *   deny-log.jsonl                       who was denied, when and why (not distributed)
 *   keyring.json                         versions, windows, the current signing key
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { KeysDirChange } from './keys-dir-change.ts';
import { parsePrivateKeyPem, parsePublicKeyPem, signingKeyFrom, type SigningKey } from '../protocol/ticket/ed25519.ts';

export const KEYS_FILES = {
  rootPrivate: 'root.key.pem',
  rootPublic: 'root.pub.pem',
  issuersDir: 'issuers',
  signingDir: 'signing',
  trustList: 'trust-list.cbor',
  denyList: 'deny-list.cbor',
  denyLog: 'deny-log.jsonl',
  keyring: 'keyring.json',
} as const;

export interface IssuerEntry {
  kid: string;
  /** ISO times of the key's validity window for signing tickets. */
  notBefore: string;
  notAfter?: string;
  /** True when this directory holds the private key. */
  hasPrivateKey: boolean;
  addedAt: string;
}

/** A signing key certified by the root (keys/signing-keys.ts). */
export interface SigningKeyEntry {
  kid: string;
  notBefore: string;
  notAfter: string;
  /** The bundle types its certificate allows. */
  types: string[];
  createdAt: string;
  /** Set by `signing-key revoke`: in the trust list's revoked signers from then on. */
  revokedAt?: string;
}

export interface KeyringState {
  format: 1;
  operator?: string;
  signingKid: string;
  issuers: IssuerEntry[];
  trustVersion: number;
  denyVersion: number;
  signingKeys?: SigningKeyEntry[];
  /** Issuer keys removed as compromised: never trusted again under this kid. */
  removedIssuers?: Array<{ kid: string; removedAt: string }>;
}

export class KeysDirError extends Error {}

export const issuerPublicPath = (dir: string, kid: string): string =>
  join(dir, KEYS_FILES.issuersDir, `${kid}.pub.pem`);
export const issuerPrivatePath = (dir: string, kid: string): string =>
  join(dir, KEYS_FILES.issuersDir, `${kid}.key.pem`);

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new KeysDirError(`cannot read ${what} (${path}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export const signingPrivatePath = (dir: string, kid: string): string =>
  join(dir, KEYS_FILES.signingDir, `${kid}.key.pem`);
export const signingCertificatePath = (dir: string, kid: string): string =>
  join(dir, KEYS_FILES.signingDir, `${kid}.cert.cbor`);

/** Stages the keyring state: every command writes it last, so it always describes the files in place. */
export function stageKeyring(change: KeysDirChange, dir: string, state: KeyringState): void {
  change.write(join(dir, KEYS_FILES.keyring), `${JSON.stringify(state, null, 2)}\n`);
}

export function readKeyring(dir: string): KeyringState {
  const path = join(dir, KEYS_FILES.keyring);
  if (!existsSync(path)) throw new KeysDirError(`${dir} is not a keys directory (no ${KEYS_FILES.keyring}); run init first`);
  const state = JSON.parse(readText(path, 'the keyring')) as KeyringState;
  if (state.format !== 1) throw new KeysDirError(`${path}: unsupported keyring format ${String(state.format)}`);
  return state;
}

export function readRootSigningKey(dir: string): SigningKey {
  return signingKeyFrom(parsePrivateKeyPem(readText(join(dir, KEYS_FILES.rootPrivate), 'the root private key'), 'root private key'));
}

export function readRootPublicKey(dir: string): KeyObject {
  return parsePublicKeyPem(readText(join(dir, KEYS_FILES.rootPublic), 'the root public key'), 'root public key');
}

export function readIssuerSigningKey(dir: string, kid: string): SigningKey {
  const pem = readText(issuerPrivatePath(dir, kid), `the private key of issuer ${kid}`);
  return signingKeyFrom(parsePrivateKeyPem(pem, `issuer ${kid} private key`));
}

export function readBundle(dir: string, file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(join(dir, file)));
  } catch (error) {
    throw new KeysDirError(`cannot read ${join(dir, file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
