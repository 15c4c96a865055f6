/**
 * The offline ticket decision: (code text, gate, clock) -> accept, or reject with
 * exactly one reason, checked in the order of ticket-format.md so the cheapest and
 * most certain reason wins. Hostile input is the normal case: the text is capped
 * before decoding, parsing is strict, and nothing ever throws out of `check`.
 */
import type { KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { denyHashOfHolder, denyHashOfTicket } from '../../protocol/bundles/deny-list.ts';
import type { FareClass, Mode, Product, TicketClaims } from '../../protocol/ticket/claims.ts';
import { sigStructure, type CoseSign1 } from '../../protocol/ticket/cose-sign1.ts';
import { publicKeyFromRaw, toHex, verifyEd25519 } from '../../protocol/ticket/ed25519.ts';
import { malformedDetail } from '../../protocol/ticket/decode-failure.ts';
import { MAX_CODE_TEXT_LENGTH, parseCodeText, type ParsedCode } from '../../protocol/ticket/ticket-code.ts';
import { MAX_CODE_WINDOW_SECONDS, type CheckSettings } from '../../protocol/bundles/check-settings.ts';
import type { PassbackState } from './passback-state.ts';
import type { RejectReason } from '../../protocol/ticket/reasons.ts';
import type { TrustedKey, TrustStore } from './trust-store.ts';

export type Direction = 'entry' | 'exit';

export interface GateContext {
  station: string;
  zone: number;
  mode: Mode;
  direction: Direction;
}

/** The validator's view of time: Unix seconds, and whether it can vouch for them. */
export interface ClockReading {
  seconds: number;
  trusted: boolean;
}

export interface Decision {
  decision: 'accept' | 'reject';
  reason: RejectReason | 'ok';
  level?: 1 | 2;
  /** Full ticket id (hex): for the journal and ledger, never for logs. */
  ticketId?: string;
  product?: Product;
  fareClass?: FareClass;
  kid?: string;
  clockTrusted: boolean;
  /** Why a code is `malformed` (decode-failure.ts), e.g. "claims: exp missing". Not journalled. */
  detail?: string;
}

const VERIFIED_CACHE_SIZE = 2048;

export class TicketChecker {
  // Key: the exact signed bytes; value: the trust-store generation they verified under.
  private readonly verified = new LRUCache<string, number>({ max: VERIFIED_CACHE_SIZE });
  private readonly holderKeys = new LRUCache<string, KeyObject>({ max: VERIFIED_CACHE_SIZE });

  constructor(
    private readonly trust: TrustStore,
    private readonly passback: PassbackState,
    private settings: CheckSettings,
  ) {}

  /** New fare settings apply from the next decision on. */
  updateSettings(settings: CheckSettings): void {
    this.settings = settings;
  }

  check(text: string, gate: GateContext, clock: ClockReading): Decision {
    try {
      return this.decide(text, gate, clock);
    } catch (error) {
      // Every expected fault is handled in decide; anything else is still the input's fault.
      return { decision: 'reject', reason: 'malformed', clockTrusted: clock.trusted, detail: malformedDetail(error) };
    }
  }

  private decide(text: string, gate: GateContext, clock: ClockReading): Decision {
    const reject = (reason: RejectReason, extra: Partial<Decision> = {}): Decision => ({
      decision: 'reject',
      reason,
      ...extra,
      clockTrusted: clock.trusted,
    });
    if (typeof text !== 'string') return reject('malformed', { detail: 'text: not a text' });
    if (text.length > MAX_CODE_TEXT_LENGTH) return reject('malformed', { detail: `text: over ${MAX_CODE_TEXT_LENGTH} characters` });
    let code: ParsedCode;
    try {
      code = parseCodeText(text);
    } catch (error) {
      return reject('malformed', { detail: malformedDetail(error) });
    }
    const { claims, cose } = code.ticket;
    const kid = toHex(cose.kid!);
    const ticketId = toHex(claims.cti);
    const known: Partial<Decision> = {
      level: code.level,
      kid,
      ticketId,
      product: claims.prd,
      fareClass: claims.cls,
    };
    const candidates = this.trust.issuersFor(kid);
    if (!candidates) return reject('unknown_key', known);
    const issuer = this.findVerifyingIssuer(candidates, code.ticket.bytes, cose);
    if (!issuer) return reject('bad_signature', known);
    if (code.holderProof && !this.verifyHolderProof(claims.holderKey!, code.holderProof.cose)) {
      return reject('bad_signature', known);
    }
    const settings = this.settings;
    if (!this.keyCovers(issuer, claims, settings.maxLifetimeSeconds[claims.prd])) return reject('key_not_valid', known);
    if (
      this.trust.isDenied(denyHashOfTicket(claims.cti)) ||
      (claims.holderKey && this.trust.isDenied(denyHashOfHolder(claims.holderKey)))
    ) {
      return reject('revoked', known);
    }
    if (!clock.trusted && settings.unanchoredClock === 'reject') return reject('clock_untrusted', known);
    const now = Math.floor(clock.seconds);
    const skew = settings.skewSeconds;
    if (now < claims.nbf - skew) return reject('not_yet_valid', known);
    const grace = gate.direction === 'exit' ? settings.exitGraceSeconds : 0;
    if (now >= claims.exp + skew + grace) return reject('expired', known);
    if (code.level === 1 && claims.holderKey) return reject('holder_proof_required', known);
    if (code.holderProof) {
      const madeAt = code.holderProof.madeAt;
      // ticket-format.md: the window is at most 60 s, whatever the fare configuration says.
      const window = Math.min(settings.codeWindowSeconds, MAX_CODE_WINDOW_SECONDS);
      if (now < madeAt - skew || now >= madeAt + window + skew) {
        return reject('code_expired', known);
      }
    }
    if (claims.zon && !claims.zon.includes(gate.zone)) return reject('wrong_zone', known);
    if (claims.mod && !claims.mod.includes(gate.mode)) return reject('wrong_mode', known);
    if (gate.direction === 'entry') {
      if (this.passback.blocks(ticketId, gate.station, now, settings.passbackSeconds)) {
        return reject('passback', known);
      }
      this.passback.recordEntry(ticketId, claims.prd, gate.station, now);
    }
    return { decision: 'accept', reason: 'ok', ...known, clockTrusted: clock.trusted };
  }

  /**
   * key_not_valid (docs/protocol.md, "Key lifecycle"): the key signed inside its window
   * (iat, or nbf without iat), for the operator it names; the ticket is no longer than
   * its product allows; and its validity stays within the key's window widened by that
   * lifetime, so a retired key with a backdated iat cannot sign a ticket valid for years.
   */
  private keyCovers(issuer: TrustedKey, claims: TicketClaims, lifetime: number): boolean {
    if (claims.iss !== undefined && issuer.operator !== undefined && claims.iss !== issuer.operator) return false;
    const signedAt = claims.iat ?? claims.nbf;
    if (signedAt < issuer.notBefore || (issuer.notAfter !== undefined && signedAt >= issuer.notAfter)) return false;
    if (claims.exp - claims.nbf > lifetime) return false;
    return issuer.notAfter === undefined || claims.exp <= issuer.notAfter + lifetime;
  }

  private findVerifyingIssuer(
    candidates: readonly TrustedKey[],
    ticketBytes: Uint8Array,
    cose: CoseSign1,
  ): TrustedKey | undefined {
    const cacheKey = Buffer.from(ticketBytes.buffer, ticketBytes.byteOffset, ticketBytes.byteLength).toString('latin1');
    const generation = this.trust.generation;
    const tbs = sigStructure(cose.protectedBytes, cose.payload);
    for (const candidate of candidates) {
      const key = `${candidate.publicKeyHex}:${cacheKey}`;
      if (this.verified.get(key) === generation) return candidate;
      if (verifyEd25519(candidate.keyObject, tbs, cose.signature)) {
        this.verified.set(key, generation);
        return candidate;
      }
    }
    return undefined;
  }

  private verifyHolderProof(holderKey: Uint8Array, cose: CoseSign1): boolean {
    const hex = toHex(holderKey);
    let keyObject = this.holderKeys.get(hex);
    if (!keyObject) {
      keyObject = publicKeyFromRaw(holderKey);
      this.holderKeys.set(hex, keyObject);
    }
    return verifyEd25519(keyObject, sigStructure(cose.protectedBytes, cose.payload), cose.signature);
  }
}
