/**
 * What a validator trusts right now: the issuer keys of the current trust list
 * (with node key objects made once per key, off the hot path) and the deny list.
 * Bundles are verified with the pinned root key and never rolled back.
 */
import type { KeyObject } from 'node:crypto';
import {
  applyDenyDelta,
  DenySet,
  openDenyDelta,
  openDenyList,
  type DenyList,
} from '../../protocol/bundles/deny-list.ts';
import { checkNotRollback, type BundleAnchor } from '../../protocol/bundles/signed-bundle.ts';
import { openTrustList, type TrustedIssuer, type TrustList } from '../../protocol/bundles/trust-list.ts';
import { publicKeyFromRaw, toHex } from '../../protocol/ticket/ed25519.ts';

export interface TrustedKey extends TrustedIssuer {
  keyObject: KeyObject;
  /** The raw public key in hex, computed once: it keys the checker's verification cache. */
  publicKeyHex: string;
}

export type ApplyResult = 'applied' | 'same';

/** Also the anchor every other bundle is verified against: the root key, and the revocations of the trust list held. */
export class TrustStore implements BundleAnchor {
  private keysByKid = new Map<string, TrustedKey[]>();
  private trust: TrustList | undefined;
  private deny: DenyList = { version: 0, issuedAt: 0, entries: new DenySet(new BigUint64Array(0)) };
  private denyHeld = false;
  private revokedSigners = new Set<string>();
  /** Bumped on every change, so caches of verification results know to drop. */
  generation = 0;

  constructor(readonly rootPublicKey: KeyObject) {}

  get trustVersion(): number | undefined {
    return this.trust?.version;
  }

  get denyVersion(): number | undefined {
    return this.denyHeld ? this.deny.version : undefined;
  }

  get denySize(): number {
    return this.deny.entries.size;
  }

  isRevokedSigner(kidHex: string): boolean {
    return this.revokedSigners.has(kidHex);
  }

  get certificatesValidAfter(): number | undefined {
    return this.trust?.issuedAt;
  }

  issuersFor(kidHex: string): readonly TrustedKey[] | undefined {
    return this.keysByKid.get(kidHex);
  }

  isDenied(hash: bigint): boolean {
    return this.deny.entries.has(hash);
  }

  /** Verifies and installs a trust list; throws BundleError on a bad or older bundle. */
  applyTrustList(bytes: Uint8Array): ApplyResult {
    const list = openTrustList(bytes, this.rootPublicKey);
    if (checkNotRollback('trust list', this.trust?.version, list.version) === 'same') return 'same';
    const keysByKid = new Map<string, TrustedKey[]>();
    for (const issuer of list.issuers) {
      const kidHex = toHex(issuer.kid);
      const trusted: TrustedKey = { ...issuer, keyObject: publicKeyFromRaw(issuer.publicKey), publicKeyHex: toHex(issuer.publicKey) };
      keysByKid.set(kidHex, [...(keysByKid.get(kidHex) ?? []), trusted]);
    }
    this.keysByKid = keysByKid;
    this.revokedSigners = new Set((list.revokedSigners ?? []).map(toHex));
    this.trust = list;
    this.generation++;
    return 'applied';
  }

  /**
   * 'older': a verified full list behind the held version, which deltas have moved past
   * (the retained full list lags the retained delta by design); never applied.
   */
  applyDenyList(bytes: Uint8Array): ApplyResult | 'older' {
    const list = openDenyList(bytes, this);
    if (this.denyVersion !== undefined && list.version < this.denyVersion) return 'older';
    if (checkNotRollback('deny list', this.denyVersion, list.version) === 'same') return 'same';
    this.deny = list;
    this.denyHeld = true;
    this.generation++;
    return 'applied';
  }

  /**
   * Applies a (cumulative) delta to the held list; 'waits-for-base' when the held list is
   * older than the delta's base (the full list it needs is still to come).
   */
  applyDenyDelta(bytes: Uint8Array): ApplyResult | 'waits-for-base' {
    const delta = openDenyDelta(bytes, this);
    if (checkNotRollback('deny list', this.denyVersion, delta.version) === 'same') return 'same';
    if ((this.denyVersion ?? 0) < delta.baseVersion) return 'waits-for-base';
    this.deny = applyDenyDelta(this.deny, delta);
    this.denyHeld = true;
    this.generation++;
    return 'applied';
  }
}
