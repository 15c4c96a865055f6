/**
 * Test fixtures for the ticket check (and for any other test that needs real
 * tickets): a root key, issuer and holder keys, signed trust and deny lists, a
 * TrustStore and a TicketChecker, and tickets / rotating codes with chosen claims.
 *
 * Keys come from fixed seeds so every run (and every fuzz case) sees the same bytes.
 * Every ticket and code made here is cross-verified with tweetnacl, the independent
 * Ed25519 implementation (architecture.md), right after node's crypto signed it.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import { DenySet, denyHashOfHolder, denyHashOfTicket, signDenyList } from '../../protocol/bundles/deny-list.ts';
import { signTrustList, type TrustedIssuer } from '../../protocol/bundles/trust-list.ts';
import { decodeBase45, encodeBase45 } from '../../protocol/ticket/base45.ts';
import { decodeCbor, encodeCbor } from '../../protocol/ticket/cbor.ts';
import { encodeClaims, type TicketClaims } from '../../protocol/ticket/claims.ts';
import { buildCoseSign1, parseCoseSign1, sigStructure } from '../../protocol/ticket/cose-sign1.ts';
import { kidOf, privateKeyFromSeed, rawPublicKey, signEd25519, toHex, type SigningKey } from '../../protocol/ticket/ed25519.ts';
import { CODE_PREFIX, rotatingCodeText, ticketText } from '../../protocol/ticket/ticket-code.ts';
import { DEFAULT_CHECK_SETTINGS, type CheckSettings } from '../../protocol/bundles/check-settings.ts';
import { PassbackState } from './passback-state.ts';
import type { RejectReason } from '../../protocol/ticket/reasons.ts';
import { TicketChecker, type ClockReading, type Decision, type GateContext } from './ticket-checker.ts';
import { TrustStore } from './trust-store.ts';

/** The fixture's "now": 2026-01-01T00:00:00Z. */
export const NOW = 1_767_225_600;
export const HOUR = 3600;
export const DAY = 86_400;
export const OPERATOR = 'metro.example';
/** The main issuer key is valid from NOW - KEY_AGE to NOW + KEY_LIFE_LEFT. */
export const KEY_AGE = 365 * DAY;
export const KEY_LIFE_LEFT = 365 * DAY;

export interface TestKey extends SigningKey {
  seed: Uint8Array;
  publicKey: KeyObject;
  /** Raw 32-byte public key. */
  raw: Uint8Array;
}

/** A deterministic Ed25519 key named by `label`. */
export function makeKey(label: string): TestKey {
  const seed = new Uint8Array(createHash('sha256').update(`faregate test key: ${label}`).digest());
  const privateKey = privateKeyFromSeed(seed);
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  return { kid: kidOf(raw), privateKey, seed, publicKey, raw };
}

let ctiCounter = 0;
/** A fresh 12-byte ticket id. */
export function nextCti(): Uint8Array {
  const cti = new Uint8Array(12);
  cti.set(new TextEncoder().encode('fgtest'));
  new DataView(cti.buffer).setUint32(8, ++ctiCounter);
  return cti;
}

/** A valid day ticket for NOW, with the given claims replaced (`undefined` leaves a claim out). */
export function ticketClaims(overrides: Partial<TicketClaims> = {}): TicketClaims {
  return {
    iss: OPERATOR,
    exp: NOW + DAY,
    nbf: NOW - HOUR,
    iat: NOW - HOUR,
    cti: nextCti(),
    prd: 'day',
    cls: 'adult',
    ...overrides,
  };
}

/**
 * The CBOR claims map of `ticketClaims()` with entries replaced (`undefined` deletes):
 * for claims of the wrong type and unknown claims, signed with `ticketFromMap`.
 */
export function ticketClaimsMap(changes: Array<[number | string, unknown]> = []): Map<number | string, unknown> {
  const map = decodeCbor(encodeClaims(ticketClaims())) as Map<number | string, unknown>;
  for (const [key, value] of changes) {
    if (value === undefined) map.delete(key);
    else map.set(key, value);
  }
  return map;
}

export function gate(overrides: Partial<GateContext> = {}): GateContext {
  return { station: 'central', zone: 1, mode: 'metro', direction: 'entry', ...overrides };
}

export function clock(seconds = NOW, trusted = true): ClockReading {
  return { seconds, trusted };
}

/** Asserts the decision is `reason` ('ok' = accept) and that accept/reject agrees with it. */
export function expectReason(decision: Decision, reason: RejectReason | 'ok', what = ''): void {
  assert.equal(decision.reason, reason, what);
  assert.equal(decision.decision, reason === 'ok' ? 'accept' : 'reject', what);
}

/** Asserts with tweetnacl that `signature` over the COSE Sig_structure verifies with `raw`. */
export function assertNaclVerifies(coseBytes: Uint8Array, raw: Uint8Array, what: string): void {
  const cose = parseCoseSign1(coseBytes);
  const ok = nacl.sign.detached.verify(sigStructure(cose.protectedBytes, cose.payload), cose.signature, raw);
  assert.ok(ok, `tweetnacl does not verify the ${what} that node's crypto signed`);
}

export interface IssuedTicket {
  claims: TicketClaims;
  /** The level-1 COSE_Sign1 bytes. */
  bytes: Uint8Array;
  /** The `FT1:` text. */
  text: string;
}

export interface SignOptions {
  /** The key that signs; default the main trusted issuer. */
  issuer?: TestKey;
  /** The kid put in the protected header; default the signer's own. */
  kid?: Uint8Array;
}

export class TicketFixture {
  readonly root = makeKey('root');
  /** Trusted, operator metro.example, valid NOW - KEY_AGE .. NOW + KEY_LIFE_LEFT. */
  readonly issuer = makeKey('issuer-main');
  /** Trusted, no operator named, open-ended. */
  readonly busIssuer = makeKey('issuer-bus');
  /** Not on the trust list. */
  readonly untrusted = makeKey('issuer-untrusted');
  readonly holder = makeKey('holder');
  readonly otherHolder = makeKey('holder-other');
  readonly store: TrustStore;
  passback = new PassbackState();
  checker: TicketChecker;
  settings: CheckSettings;
  /** Hex of every ticket this fixture signed with a key its trust list names. */
  readonly signedTickets = new Set<string>();
  /** Every FT1/FD1 text this fixture made. */
  readonly issuedTexts = new Set<string>();
  trustVersion = 0;
  denyVersion = 0;
  issuers: TrustedIssuer[];

  constructor(settings: Partial<CheckSettings> = {}) {
    this.settings = { ...DEFAULT_CHECK_SETTINGS, ...settings };
    this.store = new TrustStore(this.root.publicKey);
    this.issuers = [
      {
        kid: this.issuer.kid,
        publicKey: this.issuer.raw,
        notBefore: NOW - KEY_AGE,
        notAfter: NOW + KEY_LIFE_LEFT,
        operator: OPERATOR,
      },
      { kid: this.busIssuer.kid, publicKey: this.busIssuer.raw, notBefore: 0 },
    ];
    this.setTrustedIssuers(this.issuers);
    this.revoke({});
    this.checker = new TicketChecker(this.store, this.passback, this.settings);
  }

  /** Signs and applies a new trust list naming exactly `issuers`. */
  setTrustedIssuers(issuers: TrustedIssuer[]): void {
    this.issuers = issuers;
    this.store.applyTrustList(this.trustListBytes(issuers, ++this.trustVersion));
  }

  trustListBytes(issuers: TrustedIssuer[], version: number, issuedAt = NOW - HOUR): Uint8Array {
    return signTrustList({ version, issuedAt, issuers }, this.root);
  }

  /** Signs and applies a new full deny list with these ticket ids and holder keys. */
  revoke(entries: { tickets?: Uint8Array[]; holders?: Uint8Array[] }): void {
    const hashes = [
      ...(entries.tickets ?? []).map(denyHashOfTicket),
      ...(entries.holders ?? []).map(denyHashOfHolder),
    ];
    const bytes = signDenyList(
      { version: ++this.denyVersion, issuedAt: NOW - HOUR, entries: DenySet.fromUnsorted(hashes) },
      this.root,
    );
    this.store.applyDenyList(bytes);
  }

  /** A new checker (fresh anti-passback memory and caches) over the same trust store. */
  freshChecker(settings: Partial<CheckSettings> = {}): TicketChecker {
    this.passback = new PassbackState();
    this.checker = new TicketChecker(this.store, this.passback, { ...this.settings, ...settings });
    return this.checker;
  }

  private isTrusted(key: TestKey): boolean {
    return this.issuers.some((issuer) => Buffer.compare(issuer.publicKey, key.raw) === 0);
  }

  /**
   * Signs any claims payload as a level-1 COSE_Sign1 (for claims of the wrong type,
   * unknown claims, padding); tweetnacl cross-verifies the result.
   */
  signPayload(payload: Uint8Array, options: SignOptions = {}): Uint8Array {
    const issuer = options.issuer ?? this.issuer;
    const bytes = buildCoseSign1(payload, options.kid ?? issuer.kid, (tbs) => signEd25519(issuer.privateKey, tbs));
    assertNaclVerifies(bytes, issuer.raw, 'ticket');
    if (this.isTrusted(issuer)) this.signedTickets.add(toHex(bytes));
    return bytes;
  }

  /** A level-1 ticket with `ticketClaims(overrides)`; `holder` adds `cnf`. */
  ticket(overrides: Partial<TicketClaims> = {}, options: SignOptions & { holder?: TestKey } = {}): IssuedTicket {
    const claims = ticketClaims(options.holder ? { holderKey: options.holder.raw, ...overrides } : overrides);
    const bytes = this.signPayload(encodeClaims(claims), options);
    const text = ticketText(bytes);
    this.issuedTexts.add(text);
    return { claims, bytes, text };
  }

  /** A level-1 ticket whose claims map is exactly `map` (any keys, any values). */
  ticketFromMap(map: Map<number | string, unknown>, options: SignOptions = {}): string {
    const text = ticketText(this.signPayload(encodeCbor(map), options));
    this.issuedTexts.add(text);
    return text;
  }

  /** A level-2 code for `ticketBytes` made at `madeAt`, signed by `holder` (default the fixture's holder). */
  code(ticketBytes: Uint8Array, madeAt = NOW, holder: TestKey = this.holder): string {
    const text = rotatingCodeText(ticketBytes, holder.privateKey, madeAt);
    assertNaclVerifies(decodeCodeBytes(text), holder.raw, 'rotating code');
    this.issuedTexts.add(text);
    return text;
  }

  /** A level-2 code whose payload map is exactly `map`, signed by `holder`; tweetnacl cross-verifies. */
  codeFromMap(map: Map<number, unknown>, holder: TestKey = this.holder): string {
    const bytes = buildCoseSign1(encodeCbor(map), undefined, (tbs) => signEd25519(holder.privateKey, tbs));
    assertNaclVerifies(bytes, holder.raw, 'rotating code');
    const text = CODE_PREFIX + encodeBase45(bytes);
    this.issuedTexts.add(text);
    return text;
  }

  /** A ticket bound to the fixture's holder key and its level-2 code made at `madeAt`. */
  holderTicket(overrides: Partial<TicketClaims> = {}, madeAt = NOW): IssuedTicket & { code: string } {
    const ticket = this.ticket(overrides, { holder: this.holder });
    const code = this.code(ticket.bytes, madeAt);
    return { ...ticket, code };
  }

  check(text: string, at = NOW, gateOverrides: Partial<GateContext> = {}, trusted = true): Decision {
    return this.checker.check(text, gate(gateOverrides), clock(at, trusted));
  }

  /** Checks with a fresh checker, so no earlier accept can cause `passback`. */
  checkFresh(text: string, at = NOW, gateOverrides: Partial<GateContext> = {}, trusted = true): Decision {
    return this.freshChecker().check(text, gate(gateOverrides), clock(at, trusted));
  }
}

/** The COSE bytes of an `FT1:` or `FD1:` text. */
export function decodeCodeBytes(text: string): Uint8Array {
  return decodeBase45(text, 4);
}
