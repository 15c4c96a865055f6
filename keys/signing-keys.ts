/**
 * Online signing keys: the root certifies a key for a gateway (which bundle types it may
 * sign, until when), so the root private key can stay offline; the root revokes it in
 * the trust list. A gateway signs with the newest valid, unrevoked signing key in its
 * keys directory (protocol/bundles/signed-bundle.ts verifies the chain).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOCK_RESET_TYPE } from '../protocol/bundles/clock-reset.ts';
import { createPublicKey } from 'node:crypto';
import { DENY_DELTA_TYPE, DENY_LIST_TYPE, openDenyList, signDenyList } from '../protocol/bundles/deny-list.ts';
import { COMMAND_TYPE, FARES_TYPE, TIME_TYPE } from '../protocol/bundles/downlink-bundles.ts';
import { certifySigningKey, type BundleSigner } from '../protocol/bundles/signed-bundle.ts';
import { generateEd25519, kidOf, parsePrivateKeyPem, privateKeyPem, rawPublicKey, signingKeyFrom, toHex, type SigningKey } from '../protocol/ticket/ed25519.ts';
import { changeKeysDir, type KeysDirChange } from './keys-dir-change.ts';
import { nodeKeysFs, type KeysFs } from './keys-fs.ts';
import { rootSigner, stageTrustList } from './trust-list-file.ts';
import {
  KEYS_FILES,
  KeysDirError,
  readKeyring,
  readRootSigningKey,
  stageKeyring,
  signingCertificatePath,
  signingPrivatePath,
  type KeyringState,
  type SigningKeyEntry,
} from './keys-dir.ts';

/** The bundle types a signing key can be certified for, by the short names the CLI takes. */
export const SIGNING_KINDS: Readonly<Record<string, string>> = {
  deny: DENY_LIST_TYPE,
  'deny-delta': DENY_DELTA_TYPE,
  fares: FARES_TYPE,
  command: COMMAND_TYPE,
  time: TIME_TYPE,
  'clock-reset': CLOCK_RESET_TYPE,
};
export const DEFAULT_SIGNING_KEY_VALIDITY_DAYS = 90;
const DAY_MS = 86_400_000;

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

export function signingTypesOf(kinds: readonly string[]): string[] {
  return kinds.map((kind) => {
    const type = SIGNING_KINDS[kind];
    if (!type) throw new KeysDirError(`--kinds: "${kind}" is not one of ${Object.keys(SIGNING_KINDS).join(', ')} (trust lists only the root signs)`);
    return type;
  });
}

/** Stages a new signing key certified by `root` into `change`; returns the keyring with it. */
export function stageSigningKey(
  change: KeysDirChange,
  dir: string,
  state: KeyringState,
  root: SigningKey,
  options: { validityDays?: number; types?: string[] },
  now: Date,
): { state: KeyringState; entry: SigningKeyEntry } {
  const pair = generateEd25519();
  const raw = rawPublicKey(pair.publicKey);
  const kid = toHex(kidOf(raw));
  const notAfter = new Date(now.getTime() + (options.validityDays ?? DEFAULT_SIGNING_KEY_VALIDITY_DAYS) * DAY_MS);
  const types = options.types ?? Object.values(SIGNING_KINDS);
  const entry: SigningKeyEntry = { kid, notBefore: now.toISOString(), notAfter: notAfter.toISOString(), types, createdAt: now.toISOString() };
  const certificate = certifySigningKey(
    { kid: kidOf(raw), publicKey: raw, notBefore: seconds(entry.notBefore), notAfter: seconds(entry.notAfter), types },
    root,
    seconds(entry.createdAt),
  );
  change.mkdir(join(dir, KEYS_FILES.signingDir));
  change.write(signingPrivatePath(dir, kid), privateKeyPem(pair.privateKey), 0o600);
  change.write(signingCertificatePath(dir, kid), certificate);
  return { state: { ...state, signingKeys: [...(state.signingKeys ?? []), entry] }, entry };
}

/** The newest signing key of `dir` that is valid at `now`, not revoked, certified for `type` (any, when undefined) and held here. */
export function currentSigningKey(state: KeyringState, dir: string, type: string | undefined, now: Date): SigningKeyEntry | undefined {
  const usable = (state.signingKeys ?? []).filter(
    (entry) =>
      entry.revokedAt === undefined &&
      Date.parse(entry.notBefore) <= now.getTime() &&
      now.getTime() < Date.parse(entry.notAfter) &&
      (type === undefined || entry.types.includes(type)) &&
      existsSync(signingPrivatePath(dir, entry.kid)),
  );
  return usable.sort((a, b) => Date.parse(b.notBefore) - Date.parse(a.notBefore))[0];
}

/**
 * The key that signs a `type` bundle from `dir`: its current signing key with its
 * certificate or, where `allowRoot` (the keys CLI, next to the root key), the root.
 */
export function readBundleSigner(dir: string, type: string, options: { allowRoot: boolean }, now = new Date()): BundleSigner {
  const entry = currentSigningKey(readKeyring(dir), dir, type, now);
  if (entry) {
    const privateKey = parsePrivateKeyPem(readFileSync(signingPrivatePath(dir, entry.kid), 'utf8'), `signing key ${entry.kid}`);
    const certificate = new Uint8Array(readFileSync(signingCertificatePath(dir, entry.kid)));
    return { ...signingKeyFrom(privateKey), certificate };
  }
  if (options.allowRoot && existsSync(join(dir, KEYS_FILES.rootPrivate))) return readRootSigningKey(dir);
  throw new KeysDirError(
    `no valid signing key in ${dir} may sign ${type} bundles: certify one where the root key is kept ` +
      `(npm run keys -- signing-key create --dir DIR) and copy the signing/ directory and keyring.json here`,
  );
}

/** `keys signing-key create`: certifies a new signing key with the root key of `dir` (run it where the root is kept). */
export function createSigningKey(
  dir: string,
  options: { validityDays?: number; types?: string[] },
  now = new Date(),
  fs: KeysFs = nodeKeysFs,
): SigningKeyEntry {
  const state = readKeyring(dir);
  return changeKeysDir((change) => {
    const { state: next, entry } = stageSigningKey(change, dir, state, rootSigner(change, dir), options, now);
    stageKeyring(change, dir, next);
    return entry;
  }, fs);
}

/**
 * `keys signing-key revoke`: the key goes into the trust list's revoked signers (a new
 * root-signed trust list; gates refuse its bundles from then on) and its private key is
 * destroyed. The deny list it may have signed is re-signed by the root (same entries,
 * next version), so the directory stays one that gates accept.
 */
export function revokeSigningKey(dir: string, kid: string, now = new Date(), fs: KeysFs = nodeKeysFs): { entry: SigningKeyEntry; trustVersion: number } {
  const state = readKeyring(dir);
  const entry = (state.signingKeys ?? []).find((key) => key.kid === kid.toLowerCase());
  if (!entry) throw new KeysDirError(`--kid: no signing key ${kid} in ${dir}`);
  if (entry.revokedAt !== undefined) throw new KeysDirError(`--kid: signing key ${kid} was revoked at ${entry.revokedAt}`);
  const revoked = { ...entry, revokedAt: now.toISOString() };
  return changeKeysDir((change) => {
    const next = { ...state, signingKeys: (state.signingKeys ?? []).map((key) => (key.kid === revoked.kid ? revoked : key)) };
    next.trustVersion = stageTrustList(change, dir, next, now);
    const root = rootSigner(change, dir);
    const deny = openDenyList(change.readBytes(join(dir, KEYS_FILES.denyList)), createPublicKey(root.privateKey));
    next.denyVersion = deny.version + 1;
    change.write(join(dir, KEYS_FILES.denyList), signDenyList({ version: next.denyVersion, issuedAt: Math.floor(now.getTime() / 1000), entries: deny.entries }, root));
    stageKeyring(change, dir, next);
    change.destroy(signingPrivatePath(dir, revoked.kid));
    return { entry: revoked, trustVersion: next.trustVersion };
  }, fs);
}
