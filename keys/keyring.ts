/**
 * The operations on a keys directory behind `npm run keys`: init, add-issuer, rotate,
 * retire, remove, deny. Each one is one KeysDirChange: every new file is written in full
 * before any is put in place, the keyring state last, so a failed command (a full or
 * read-only disk included) leaves the directory as it was. Bundle versions are taken
 * from the signed bundles themselves, so no version is ever reused.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { DenySet, openDenyList, signDenyList, DENY_LIST_TYPE } from '../protocol/bundles/deny-list.ts';
import type { BundleSigner } from '../protocol/bundles/signed-bundle.ts';
import { generateEd25519, kidOf, privateKeyPem, publicKeyPem, rawPublicKey, toHex } from '../protocol/ticket/ed25519.ts';
import { changeKeysDir, type KeysDirChange } from './keys-dir-change.ts';
import {
  issuerPrivatePath,
  issuerPublicPath,
  KEYS_FILES,
  KeysDirError,
  readBundle,
  readKeyring,
  readRootPublicKey,
  stageKeyring,
  type IssuerEntry,
  type KeyringState,
} from './keys-dir.ts';
import { nodeKeysFs, type KeysFs } from './keys-fs.ts';
import { readBundleSigner, stageSigningKey } from './signing-keys.ts';
import { rootSigner, stageTrustList } from './trust-list-file.ts';

export const DEFAULT_ISSUER_VALIDITY_DAYS = 365;
const DAY_MS = 86_400_000;

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

function stageIssuerKey(change: KeysDirChange, dir: string, now: Date, validityDays: number): IssuerEntry {
  const pair = generateEd25519();
  const kid = toHex(kidOf(rawPublicKey(pair.publicKey)));
  change.write(issuerPrivatePath(dir, kid), privateKeyPem(pair.privateKey), 0o600);
  change.write(issuerPublicPath(dir, kid), publicKeyPem(pair.publicKey));
  return {
    kid,
    notBefore: now.toISOString(),
    notAfter: new Date(now.getTime() + validityDays * DAY_MS).toISOString(),
    hasPrivateKey: true,
    addedAt: now.toISOString(),
  };
}

/** A new keys directory: root key, an issuer key, a signing key certified for the gateway, trust and deny lists. */
export function initKeys(dir: string, options: { operator?: string; validityDays?: number }, now = new Date(), fs: KeysFs = nodeKeysFs): KeyringState {
  if (existsSync(join(dir, KEYS_FILES.keyring))) {
    throw new KeysDirError(`${dir} already holds a keyring; refusing to overwrite it`);
  }
  return changeKeysDir((change) => {
    change.mkdir(join(dir, KEYS_FILES.issuersDir));
    const root = generateEd25519();
    change.write(join(dir, KEYS_FILES.rootPrivate), privateKeyPem(root.privateKey), 0o600);
    change.write(join(dir, KEYS_FILES.rootPublic), publicKeyPem(root.publicKey));
    const issuer = stageIssuerKey(change, dir, now, options.validityDays ?? DEFAULT_ISSUER_VALIDITY_DAYS);
    let state: KeyringState = { format: 1, signingKid: issuer.kid, issuers: [issuer], trustVersion: 0, denyVersion: 0 };
    if (options.operator !== undefined) state.operator = options.operator;
    state = stageSigningKey(change, dir, state, rootSigner(change, dir), {}, now).state;
    state.trustVersion = stageTrustList(change, dir, state, now);
    const deny = signDenyList({ version: 1, issuedAt: seconds(now.toISOString()), entries: DenySet.fromUnsorted([]) }, rootSigner(change, dir));
    change.write(join(dir, KEYS_FILES.denyList), deny);
    state.denyVersion = 1;
    stageKeyring(change, dir, state);
    return state;
  }, fs);
}

export function addIssuer(
  dir: string,
  publicKey: KeyObject,
  window: { notBefore?: Date; notAfter?: Date },
  now = new Date(),
  fs: KeysFs = nodeKeysFs,
): IssuerEntry {
  const state = readKeyring(dir);
  const kid = toHex(kidOf(rawPublicKey(publicKey)));
  if (state.issuers.some((entry) => entry.kid === kid)) throw new KeysDirError(`issuer ${kid} is already trusted`);
  if (state.removedIssuers?.some((entry) => entry.kid === kid)) throw new KeysDirError(`issuer ${kid} was removed as compromised; it is never trusted again`);
  const notBefore = window.notBefore ?? now;
  if (window.notAfter && window.notAfter <= notBefore) throw new KeysDirError('--not-after must be after --not-before');
  const entry: IssuerEntry = { kid, notBefore: notBefore.toISOString(), hasPrivateKey: false, addedAt: now.toISOString() };
  if (window.notAfter) entry.notAfter = window.notAfter.toISOString();
  return changeKeysDir((change) => {
    change.write(issuerPublicPath(dir, kid), publicKeyPem(publicKey));
    const next = { ...state, issuers: [...state.issuers, entry] };
    next.trustVersion = stageTrustList(change, dir, next, now);
    stageKeyring(change, dir, next);
    return entry;
  }, fs);
}

export function rotateIssuer(dir: string, options: { validityDays?: number }, now = new Date(), fs: KeysFs = nodeKeysFs): IssuerEntry {
  const state = readKeyring(dir);
  return changeKeysDir((change) => {
    const entry = stageIssuerKey(change, dir, now, options.validityDays ?? DEFAULT_ISSUER_VALIDITY_DAYS);
    const next = { ...state, signingKid: entry.kid, issuers: [...state.issuers, entry] };
    next.trustVersion = stageTrustList(change, dir, next, now);
    stageKeyring(change, dir, next);
    return entry;
  }, fs);
}

function findIssuer(state: KeyringState, dir: string, kid: string, action: string): IssuerEntry {
  const entry = state.issuers.find((issuer) => issuer.kid === kid.toLowerCase());
  if (!entry) throw new KeysDirError(`--kid: no issuer ${kid} in ${dir}`);
  if (entry.kid === state.signingKid) throw new KeysDirError(`--kid: ${kid} is the current signing key; rotate first, then ${action} it`);
  return entry;
}

/**
 * Ends the key's signing window now and destroys its private key (overwritten, then
 * unlinked). Its public key stays in the trust list: what it signed stays valid until
 * it expires, at most one product lifetime after the window's end.
 */
export function retireIssuer(dir: string, kid: string, now = new Date(), fs: KeysFs = nodeKeysFs): IssuerEntry {
  const state = readKeyring(dir);
  const current = findIssuer(state, dir, kid, 'retire');
  const ends = current.notAfter && Date.parse(current.notAfter) < now.getTime() ? current.notAfter : now.toISOString();
  const retired = { ...current, notAfter: ends, hasPrivateKey: false };
  return changeKeysDir((change) => {
    const next = { ...state, issuers: state.issuers.map((entry) => (entry.kid === retired.kid ? retired : entry)) };
    next.trustVersion = stageTrustList(change, dir, next, now);
    stageKeyring(change, dir, next);
    change.destroy(issuerPrivatePath(dir, retired.kid));
    return retired;
  }, fs);
}

/** For a compromised key: out of the next trust list at once (its tickets stop working), its key files destroyed. */
export function removeIssuer(dir: string, kid: string, now = new Date(), fs: KeysFs = nodeKeysFs): { entry: IssuerEntry; trustVersion: number } {
  const state = readKeyring(dir);
  const removed = findIssuer(state, dir, kid, 'remove');
  return changeKeysDir((change) => {
    const next: KeyringState = {
      ...state,
      issuers: state.issuers.filter((entry) => entry.kid !== removed.kid),
      removedIssuers: [...(state.removedIssuers ?? []), { kid: removed.kid, removedAt: now.toISOString() }],
    };
    next.trustVersion = stageTrustList(change, dir, next, now);
    stageKeyring(change, dir, next);
    change.destroy(issuerPrivatePath(dir, removed.kid));
    change.destroy(issuerPublicPath(dir, removed.kid));
    return { entry: removed, trustVersion: next.trustVersion };
  }, fs);
}

export interface DenyRequest {
  kind: 'ticket' | 'holder';
  /** Ticket id bytes, or the holder's raw public key. */
  value: Uint8Array;
  hash: bigint;
  reason?: string;
}

/**
 * Adds an entry to the deny list (signed by `signer`: by default the directory's signing
 * key, or its root); returns the new version, or undefined when it was already there.
 */
export function denyEntry(
  dir: string,
  request: DenyRequest,
  now = new Date(),
  signer: BundleSigner = readBundleSigner(dir, DENY_LIST_TYPE, { allowRoot: true }, now),
  fs: KeysFs = nodeKeysFs,
): number | undefined {
  const state = readKeyring(dir);
  const current = openDenyList(readBundle(dir, KEYS_FILES.denyList), readRootPublicKey(dir));
  if (current.entries.has(request.hash)) return undefined;
  const entries = current.entries.with(DenySet.fromUnsorted([request.hash]), DenySet.fromUnsorted([]));
  const version = current.version + 1;
  return changeKeysDir((change) => {
    change.write(join(dir, KEYS_FILES.denyList), signDenyList({ version, issuedAt: seconds(now.toISOString()), entries }, signer));
    const log = { at: now.toISOString(), version, kind: request.kind, value: toHex(request.value), reason: request.reason ?? null };
    const logPath = join(dir, KEYS_FILES.denyLog);
    const before = change.exists(logPath) ? change.readText(logPath) : '';
    change.write(logPath, `${before}${JSON.stringify(log)}\n`, 0o600);
    stageKeyring(change, dir, { ...state, denyVersion: version });
    return version;
  }, fs);
}
