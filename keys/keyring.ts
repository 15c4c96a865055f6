/**
 * The operations on a keys directory behind `npm run keys`: init, add-issuer,
 * rotate, retire, deny. Each one writes new key files and bundles atomically and
 * the keyring state last; bundle versions are taken from the signed bundles on
 * disk, so a command interrupted between two writes can never reuse a version.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { DenySet, openDenyList, signDenyList } from '../protocol/bundles/deny-list.ts';
import { openTrustList, signTrustList, type TrustedIssuer } from '../protocol/bundles/trust-list.ts';
import {
  generateEd25519,
  kidOf,
  parsePublicKeyPem,
  privateKeyPem,
  publicKeyPem,
  rawPublicKey,
  toHex,
} from '../protocol/ticket/ed25519.ts';
import { writeFileAtomic } from '../runtime/atomic-file.ts';
import {
  issuerPrivatePath,
  issuerPublicPath,
  KEYS_FILES,
  KeysDirError,
  readBundle,
  readKeyring,
  readRootPublicKey,
  readRootSigningKey,
  type IssuerEntry,
  type KeyringState,
} from './keys-dir.ts';

export const DEFAULT_ISSUER_VALIDITY_DAYS = 365;
const DAY_MS = 86_400_000;

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

function writeKeyring(dir: string, state: KeyringState): void {
  writeFileAtomic(join(dir, KEYS_FILES.keyring), `${JSON.stringify(state, null, 2)}\n`);
}

function newIssuerKey(dir: string, now: Date, validityDays: number): IssuerEntry {
  const pair = generateEd25519();
  const kid = toHex(kidOf(rawPublicKey(pair.publicKey)));
  writeFileAtomic(issuerPrivatePath(dir, kid), privateKeyPem(pair.privateKey), 0o600);
  writeFileAtomic(issuerPublicPath(dir, kid), publicKeyPem(pair.publicKey));
  return {
    kid,
    notBefore: now.toISOString(),
    notAfter: new Date(now.getTime() + validityDays * DAY_MS).toISOString(),
    hasPrivateKey: true,
    addedAt: now.toISOString(),
  };
}

function currentVersion(dir: string, file: string, open: (bytes: Uint8Array, root: KeyObject) => { version: number }): number {
  if (!existsSync(join(dir, file))) return 0;
  return open(readBundle(dir, file), readRootPublicKey(dir)).version;
}

/** Re-signs the trust list from the keyring's issuers with the next version. */
function publishTrustList(dir: string, state: KeyringState, now: Date): number {
  const version = currentVersion(dir, KEYS_FILES.trustList, openTrustList) + 1;
  const issuers: TrustedIssuer[] = state.issuers.map((entry) => {
    const publicKey = rawPublicKey(parsePublicKeyPem(readFileSync(issuerPublicPath(dir, entry.kid), 'utf8')));
    const issuer: TrustedIssuer = { kid: kidOf(publicKey), publicKey, notBefore: seconds(entry.notBefore) };
    if (entry.notAfter !== undefined) issuer.notAfter = seconds(entry.notAfter);
    if (state.operator !== undefined) issuer.operator = state.operator;
    return issuer;
  });
  const bytes = signTrustList({ version, issuedAt: seconds(now.toISOString()), issuers }, readRootSigningKey(dir));
  writeFileAtomic(join(dir, KEYS_FILES.trustList), bytes);
  return version;
}

export function initKeys(dir: string, options: { operator?: string; validityDays?: number }, now = new Date()): KeyringState {
  if (existsSync(join(dir, KEYS_FILES.keyring))) {
    throw new KeysDirError(`${dir} already holds a keyring; refusing to overwrite it`);
  }
  mkdirSync(join(dir, KEYS_FILES.issuersDir), { recursive: true, mode: 0o700 });
  const root = generateEd25519();
  writeFileAtomic(join(dir, KEYS_FILES.rootPrivate), privateKeyPem(root.privateKey), 0o600);
  writeFileAtomic(join(dir, KEYS_FILES.rootPublic), publicKeyPem(root.publicKey));
  const issuer = newIssuerKey(dir, now, options.validityDays ?? DEFAULT_ISSUER_VALIDITY_DAYS);
  const state: KeyringState = { format: 1, signingKid: issuer.kid, issuers: [issuer], trustVersion: 0, denyVersion: 0 };
  if (options.operator !== undefined) state.operator = options.operator;
  state.trustVersion = publishTrustList(dir, state, now);
  const deny = signDenyList(
    { version: 1, issuedAt: seconds(now.toISOString()), entries: DenySet.fromUnsorted([]) },
    readRootSigningKey(dir),
  );
  writeFileAtomic(join(dir, KEYS_FILES.denyList), deny);
  state.denyVersion = 1;
  writeKeyring(dir, state);
  return state;
}

export function addIssuer(
  dir: string,
  publicKey: KeyObject,
  window: { notBefore?: Date; notAfter?: Date },
  now = new Date(),
): IssuerEntry {
  const state = readKeyring(dir);
  const kid = toHex(kidOf(rawPublicKey(publicKey)));
  if (state.issuers.some((entry) => entry.kid === kid)) throw new KeysDirError(`issuer ${kid} is already trusted`);
  const notBefore = window.notBefore ?? now;
  if (window.notAfter && window.notAfter <= notBefore) throw new KeysDirError('--not-after must be after --not-before');
  const entry: IssuerEntry = { kid, notBefore: notBefore.toISOString(), hasPrivateKey: false, addedAt: now.toISOString() };
  if (window.notAfter) entry.notAfter = window.notAfter.toISOString();
  writeFileAtomic(issuerPublicPath(dir, kid), publicKeyPem(publicKey));
  const next = { ...state, issuers: [...state.issuers, entry] };
  next.trustVersion = publishTrustList(dir, next, now);
  writeKeyring(dir, next);
  return entry;
}

export function rotateIssuer(dir: string, options: { validityDays?: number }, now = new Date()): IssuerEntry {
  const state = readKeyring(dir);
  const entry = newIssuerKey(dir, now, options.validityDays ?? DEFAULT_ISSUER_VALIDITY_DAYS);
  const next = { ...state, signingKid: entry.kid, issuers: [...state.issuers, entry] };
  next.trustVersion = publishTrustList(dir, next, now);
  writeKeyring(dir, next);
  return entry;
}

export function retireIssuer(dir: string, kid: string, now = new Date()): IssuerEntry {
  const state = readKeyring(dir);
  const index = state.issuers.findIndex((entry) => entry.kid === kid.toLowerCase());
  if (index < 0) throw new KeysDirError(`--kid: no issuer ${kid} in ${dir}`);
  if (state.issuers[index]!.kid === state.signingKid) {
    throw new KeysDirError(`--kid: ${kid} is the current signing key; rotate first, then retire it`);
  }
  const current = state.issuers[index]!;
  const ends = current.notAfter && Date.parse(current.notAfter) < now.getTime() ? current.notAfter : now.toISOString();
  const retired = { ...current, notAfter: ends };
  const issuers = state.issuers.map((entry, i) => (i === index ? retired : entry));
  const next = { ...state, issuers };
  next.trustVersion = publishTrustList(dir, next, now);
  writeKeyring(dir, next);
  return retired;
}

export interface DenyRequest {
  kind: 'ticket' | 'holder';
  /** Ticket id bytes, or the holder's raw public key. */
  value: Uint8Array;
  hash: bigint;
  reason?: string;
}

/** Adds an entry to the deny list; returns the new version, or undefined when it was already there. */
export function denyEntry(dir: string, request: DenyRequest, now = new Date()): number | undefined {
  const state = readKeyring(dir);
  const rootPublic = readRootPublicKey(dir);
  const current = openDenyList(readBundle(dir, KEYS_FILES.denyList), rootPublic);
  if (current.entries.has(request.hash)) return undefined;
  const entries = current.entries.with(DenySet.fromUnsorted([request.hash]), DenySet.fromUnsorted([]));
  const version = current.version + 1;
  const bytes = signDenyList({ version, issuedAt: seconds(now.toISOString()), entries }, readRootSigningKey(dir));
  writeFileAtomic(join(dir, KEYS_FILES.denyList), bytes);
  const log = { at: now.toISOString(), version, kind: request.kind, value: toHex(request.value), reason: request.reason ?? null };
  appendFileSync(join(dir, KEYS_FILES.denyLog), `${JSON.stringify(log)}\n`, { mode: 0o600 });
  writeKeyring(dir, { ...state, denyVersion: version });
  return version;
}
