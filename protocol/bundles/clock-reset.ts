/**
 * The clock reset command: a root-signed, fleet-wide order to forget a high-water mark that
 * lies in the future (docs/protocol.md, "Clock reset"). A gate that once took a beacon from a
 * gateway with a wrong clock stays in that future, across restarts, and refuses every correct
 * beacon as a rollback; only the operator's root key may tell it otherwise.
 *
 * Same envelope and rules as the other bundles (signed-bundle.ts). `ver` only grows, and a gate
 * applies each version once (it keeps the last applied version on disk), so the retained
 * message, redelivered on every connect, or a replayed old reset cannot roll a clock back again.
 */
import type { KeyObject } from 'node:crypto';
import { isUint } from '../ticket/cbor.ts';
import { BundleError, openBundle, signBundle, type BundleAnchor, type BundleSigner } from './signed-bundle.ts';

export const CLOCK_RESET_TYPE = 'faregate.clock-reset/1';

export interface ClockReset {
  version: number;
  /** Unix seconds at which it was signed. */
  issuedAt: number;
  /** The gate's new high-water mark, Unix ms: the operator's correct time when it was issued. */
  resetToMs: number;
  /** Why, for the gates' logs (at most 200 characters). */
  reason?: string;
}

export const MAX_CLOCK_RESET_REASON = 200;

export function signClockReset(reset: ClockReset, signer: BundleSigner): Uint8Array {
  const body = new Map<string, unknown>([['resetTo', reset.resetToMs]]);
  if (reset.reason !== undefined) body.set('reason', reset.reason);
  return signBundle({ type: CLOCK_RESET_TYPE, version: reset.version, issuedAt: reset.issuedAt }, body, signer);
}

/** Verifies through the pinned root key (signing chain) and checks every field; throws BundleError naming the field. */
export function openClockReset(bytes: Uint8Array, anchor: KeyObject | BundleAnchor): ClockReset {
  const bundle = openBundle(bytes, anchor, CLOCK_RESET_TYPE);
  const resetTo: unknown = bundle.body.get('resetTo');
  const reason: unknown = bundle.body.get('reason');
  if (!isUint(resetTo)) throw new BundleError('clock reset resetTo must be an unsigned integer of Unix ms');
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_CLOCK_RESET_REASON)) {
    throw new BundleError(`clock reset reason must be text of at most ${MAX_CLOCK_RESET_REASON} characters`);
  }
  const reset: ClockReset = { version: bundle.version, issuedAt: bundle.issuedAt, resetToMs: resetTo };
  if (reason !== undefined) reset.reason = reason;
  return reset;
}
