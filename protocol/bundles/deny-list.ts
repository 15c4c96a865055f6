/**
 * The deny list: revoked ticket ids and holder keys, stored as 8-byte hash
 * prefixes (domain-separated SHA-256), sorted, in one packed array. A million
 * entries take 8 MB on the wire and in memory and a lookup is a binary search,
 * with no per-entry objects. A false match needs a 64-bit collision: about
 * n / 2^64 per lookup, 5e-14 at a million entries.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { isBytes, isUint } from '../ticket/cbor.ts';
import { BundleError, openBundle, signBundle, type BundleAnchor, type BundleSigner } from './signed-bundle.ts';

export const DENY_LIST_TYPE = 'faregate.deny/1';
export const DENY_DELTA_TYPE = 'faregate.deny-delta/1';
const ENTRY_BYTES = 8;

function denyHash(domain: string, value: Uint8Array): bigint {
  return createHash('sha256').update(domain).update(value).digest().readBigUInt64BE(0);
}

/** The deny entry of a ticket id (cti). */
export const denyHashOfTicket = (cti: Uint8Array): bigint => denyHash('faregate/deny/cti\0', cti);
/** The deny entry of a holder's raw public key (denies every ticket bound to it). */
export const denyHashOfHolder = (holderKey: Uint8Array): bigint => denyHash('faregate/deny/holder\0', holderKey);

/** An immutable sorted set of 64-bit deny hashes. */
export class DenySet {
  constructor(readonly entries: BigUint64Array) {}

  static fromUnsorted(values: Iterable<bigint>): DenySet {
    const sorted = BigUint64Array.from(new Set(values)).sort();
    return new DenySet(sorted);
  }

  get size(): number {
    return this.entries.length;
  }

  has(value: bigint): boolean {
    const entries = this.entries;
    let low = 0;
    let high = entries.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const probe = entries[mid]!;
      if (probe === value) return true;
      if (probe < value) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }

  /** A new set with `add` merged in and `remove` taken out. */
  with(add: DenySet, remove: DenySet): DenySet {
    const kept = this.entries.filter((value) => !remove.has(value));
    const merged = new BigUint64Array(kept.length + add.size);
    merged.set(kept);
    merged.set(add.entries, kept.length);
    return DenySet.fromUnsorted(merged);
  }

  toBytes(): Uint8Array {
    const out = Buffer.alloc(this.entries.length * ENTRY_BYTES);
    for (let i = 0; i < this.entries.length; i++) out.writeBigUInt64BE(this.entries[i]!, i * ENTRY_BYTES);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  /** Parses packed big-endian entries; they must be strictly ascending (one canonical form). */
  static fromBytes(bytes: Uint8Array, field: string): DenySet {
    if (bytes.length % ENTRY_BYTES !== 0) throw new BundleError(`${field} length must be a multiple of 8`);
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const entries = new BigUint64Array(bytes.length / ENTRY_BYTES);
    for (let i = 0; i < entries.length; i++) {
      entries[i] = view.readBigUInt64BE(i * ENTRY_BYTES);
      if (i > 0 && entries[i]! <= entries[i - 1]!) throw new BundleError(`${field} entries must be sorted and unique`);
    }
    return new DenySet(entries);
  }
}

export interface DenyList {
  version: number;
  issuedAt: number;
  entries: DenySet;
}

/** A change from one deny list version to the next, so gates need not fetch the whole list. */
export interface DenyDelta {
  version: number;
  issuedAt: number;
  baseVersion: number;
  add: DenySet;
  remove: DenySet;
}

export function signDenyList(list: DenyList, signer: BundleSigner): Uint8Array {
  return signBundle(
    { type: DENY_LIST_TYPE, version: list.version, issuedAt: list.issuedAt },
    new Map([['ent', list.entries.toBytes()]]),
    signer,
  );
}

export function openDenyList(bytes: Uint8Array, anchor: KeyObject | BundleAnchor): DenyList {
  const bundle = openBundle(bytes, anchor, DENY_LIST_TYPE);
  const entries: unknown = bundle.body.get('ent');
  if (!isBytes(entries)) throw new BundleError('deny list ent must be a byte string');
  return { version: bundle.version, issuedAt: bundle.issuedAt, entries: DenySet.fromBytes(entries, 'deny list ent') };
}

export function signDenyDelta(delta: DenyDelta, signer: BundleSigner): Uint8Array {
  return signBundle(
    { type: DENY_DELTA_TYPE, version: delta.version, issuedAt: delta.issuedAt },
    new Map<string, unknown>([
      ['base', delta.baseVersion],
      ['add', delta.add.toBytes()],
      ['del', delta.remove.toBytes()],
    ]),
    signer,
  );
}

export function openDenyDelta(bytes: Uint8Array, anchor: KeyObject | BundleAnchor): DenyDelta {
  const bundle = openBundle(bytes, anchor, DENY_DELTA_TYPE);
  const base: unknown = bundle.body.get('base');
  const add: unknown = bundle.body.get('add');
  const remove: unknown = bundle.body.get('del');
  if (!isUint(base) || base >= bundle.version) throw new BundleError('deny delta base must be a lower version');
  if (!isBytes(add) || !isBytes(remove)) throw new BundleError('deny delta add and del must be byte strings');
  return {
    version: bundle.version,
    issuedAt: bundle.issuedAt,
    baseVersion: base,
    add: DenySet.fromBytes(add, 'deny delta add'),
    remove: DenySet.fromBytes(remove, 'deny delta del'),
  };
}

/**
 * Applies a delta to a held list of a version from `base` up to (not including) the
 * delta's own: deltas are cumulative from their base (docs/protocol.md), `add` naming
 * every entry of the new version that any version since the base lacked and `remove`
 * every entry it no longer holds, so the result is the new version from any of them.
 * Throws when the held list is older than the base.
 */
export function applyDenyDelta(list: DenyList, delta: DenyDelta): DenyList {
  if (list.version < delta.baseVersion || list.version >= delta.version) {
    throw new BundleError(`deny delta applies to versions ${delta.baseVersion} to ${delta.version - 1}, the held list is ${list.version}`);
  }
  return { version: delta.version, issuedAt: delta.issuedAt, entries: list.entries.with(delta.add, delta.remove) };
}

/**
 * The cumulative delta from `from` to `to`, for lists that only gain entries between
 * them (the keys directory only adds): `add` = to \ from, `remove` = from \ to.
 */
export function denyDeltaBetween(from: DenyList, to: DenyList): DenyDelta {
  return {
    version: to.version,
    issuedAt: to.issuedAt,
    baseVersion: from.version,
    add: new DenySet(to.entries.entries.filter((value) => !from.entries.has(value))),
    remove: new DenySet(from.entries.entries.filter((value) => !to.entries.has(value))),
  };
}
