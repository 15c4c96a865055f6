/**
 * Fuzzing the ticket check with well over 100,000 hostile codes (fixed seeds, so every
 * run sees the same cases): mutated texts, mutated COSE/CBOR bytes re-encoded in Base45,
 * level-2 codes re-signed around mutated tickets, re-signed mutated claims, and random
 * input. check() must never throw, must always give exactly one known reason, must say
 * malformed exactly when the text does not parse (no internal fault passed off as
 * malformed), and must never accept anything but a ticket the fixture signed with a
 * trusted key (every accept of a text the fixture did not make is re-verified with
 * tweetnacl). Passback cannot mask an accept: cases alternate between an exit gate and
 * an entry gate whose anti-passback memory forgets everything.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { decodeBase45, encodeBase45 } from '../../protocol/ticket/base45.ts';
import { decodeCbor, encodeCbor, Tag } from '../../protocol/ticket/cbor.ts';
import { encodeClaims } from '../../protocol/ticket/claims.ts';
import { encodeProtectedHeader, parseCoseSign1, sigStructure } from '../../protocol/ticket/cose-sign1.ts';
import { toHex } from '../../protocol/ticket/ed25519.ts';
import { parseCodeText, rotatingCodeText, ticketText } from '../../protocol/ticket/ticket-code.ts';
import { PassbackState } from './passback-state.ts';
import { REJECT_REASONS } from '../../protocol/ticket/reasons.ts';
import { clock, gate, NOW, TicketFixture, ticketClaims } from './test-fixtures.ts';
import { TicketChecker, type Decision } from './ticket-checker.ts';
import { seededRandom } from '../../runtime/seeded-random.ts';

const MUTATION_CASES = 100_000;
const RESIGNED_CLAIM_CASES = 200;
const ARBITRARY_CBOR_CASES = 8_000;
const RANDOM_TEXT_CASES = 8_000;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const INTERESTING_BYTES = [0x00, 0x01, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x20, 0x38, 0x40, 0x41, 0x57, 0x58, 0x59, 0x5f, 0x60, 0x7f, 0x80, 0x84, 0x9f, 0xa0, 0xa1, 0xbf, 0xc0, 0xd2, 0xd8, 0xf4, 0xf5, 0xf6, 0xf7, 0xf9, 0xfa, 0xfb, 0xff];

/** An anti-passback memory that never remembers, so passback never hides an accept. */
class ForgetfulPassback extends PassbackState {
  override blocks(): boolean {
    return false;
  }
  override recordEntry(): void {}
}

function parses(text: string): boolean {
  try {
    parseCodeText(text);
    return true;
  } catch {
    return false;
  }
}

// Seeded, so the mutations are the same on every run.
const random = seededRandom(0xfa2e6a7e);
const int = (n: number): number => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

function randomChar(): string {
  const roll = random();
  if (roll < 0.8) return pick([...ALPHABET]);
  if (roll < 0.95) return String.fromCharCode(0x20 + int(95));
  return String.fromCharCode(int(0x10000));
}

function mutateText(text: string): string {
  let out = text;
  for (let ops = 1 + int(3); ops > 0; ops--) {
    const at = int(out.length + 1);
    switch (int(6)) {
      case 0:
        out = out.slice(0, at) + randomChar() + out.slice(at + 1);
        break;
      case 1:
        out = out.slice(0, at) + randomChar() + out.slice(at);
        break;
      case 2:
        out = out.slice(0, at) + out.slice(at + 1 + int(3));
        break;
      case 3:
        out = out.slice(0, at) + out.slice(at, at + 1 + int(12)) + out.slice(at);
        break;
      case 4: {
        const other = int(out.length);
        const chars = [...out];
        [chars[at], chars[other]] = [chars[other]!, chars[at]!];
        out = chars.join('');
        break;
      }
      default:
        out = out.slice(0, at);
    }
  }
  return out;
}

function mutateBytes(bytes: Uint8Array): Uint8Array {
  let out = Array.from(bytes);
  for (let ops = 1 + int(4); ops > 0; ops--) {
    const at = int(out.length + 1);
    switch (int(7)) {
      case 0:
        if (at < out.length) out[at]! ^= 1 << int(8);
        break;
      case 1:
        if (at < out.length) out[at] = int(256);
        break;
      case 2:
        if (at < out.length) out[at] = pick(INTERESTING_BYTES);
        break;
      case 3:
        out.splice(at, 0, ...Array.from({ length: 1 + int(4) }, () => (random() < 0.5 ? int(256) : pick(INTERESTING_BYTES))));
        break;
      case 4:
        out.splice(at, 1 + int(4));
        break;
      case 5:
        out.splice(at, 0, ...out.slice(at, at + 1 + int(16)));
        break;
      default:
        for (let i = 0; i < 1 + int(8) && at + i < out.length; i++) out[at + i] = int(256);
    }
  }
  if (out.length > 2000) out = out.slice(0, 2000);
  return Uint8Array.from(out);
}

describe('TicketChecker fuzz', () => {
  test(`never throws, always gives one known reason, and never accepts anything but a validly signed original (>${MUTATION_CASES + ARBITRARY_CBOR_CASES + RANDOM_TEXT_CASES} cases)`, (t) => {
    const started = performance.now();
    const fx = new TicketFixture();
    const originals = [
      fx.ticket({ prd: 'single', cls: 'child', zon: [1, 2, 3], mod: ['metro', 'bus'], cti: new Uint8Array(16).fill(0x11) }).text,
      fx.ticket({ iss: undefined, iat: undefined, prd: 'period' }).text,
      fx.ticket({ prd: 'day' }, { issuer: fx.busIssuer }).text,
      fx.holderTicket({ prd: 'day' }, NOW).code,
      fx.holderTicket({ prd: 'single', zon: [1], mod: ['metro'] }, NOW).code,
      fx.holderTicket().text,
    ];
    const settings = fx.settings;
    const exitChecker = new TicketChecker(fx.store, new PassbackState(), settings);
    const entryChecker = new TicketChecker(fx.store, new ForgetfulPassback(), settings);
    const exitGate = gate({ direction: 'exit' });
    const entryGate = gate();
    const trustedRaw = fx.issuers.map((issuer) => issuer.publicKey);
    const counts = new Map<string, number>();
    const byKind = new Map<string, { cases: number; pastParsing: number; accepts: number }>();
    let cases = 0;

    const assertGenuine = (text: string, decision: Decision, kind: string): void => {
      if (fx.issuedTexts.has(text)) return; // made and tweetnacl-verified by the fixture
      // Anything else can only be a re-signed code around an untouched ticket, or a re-signed ticket.
      assert.ok(kind === 'inner' || kind === 'resigned', `${kind}: accepted a text the fixture never made: ${text}`);
      const parsed = parseCodeText(text);
      const ticketCose = parsed.ticket.cose;
      assert.ok(fx.signedTickets.has(toHex(parsed.ticket.bytes)), `${kind}: accepted ticket bytes nobody signed`);
      assert.equal(decision.ticketId, toHex(parsed.ticket.claims.cti));
      const tbs = sigStructure(ticketCose.protectedBytes, ticketCose.payload);
      assert.ok(trustedRaw.some((raw) => nacl.sign.detached.verify(tbs, ticketCose.signature, raw)));
      if (parsed.holderProof) {
        const outer = parsed.holderProof.cose;
        const outerTbs = sigStructure(outer.protectedBytes, outer.payload);
        assert.ok(nacl.sign.detached.verify(outerTbs, outer.signature, parsed.ticket.claims.holderKey!));
      } else {
        assert.equal(parsed.ticket.claims.holderKey, undefined);
      }
    };

    const run = (text: string, kind: string): void => {
      const exit = (cases & 1) === 0;
      cases++;
      let decision: Decision;
      try {
        decision = (exit ? exitChecker : entryChecker).check(text, exit ? exitGate : entryGate, clock(NOW, cases % 3 !== 0));
      } catch (error) {
        assert.fail(`${kind}: check threw ${String(error)} for ${JSON.stringify(text)}`);
      }
      const stats = byKind.get(kind) ?? { cases: 0, pastParsing: 0, accepts: 0 };
      byKind.set(kind, stats);
      stats.cases++;
      counts.set(decision.reason, (counts.get(decision.reason) ?? 0) + 1);
      if (decision.decision === 'accept') {
        assert.equal(decision.reason, 'ok');
        stats.accepts++;
        stats.pastParsing++;
        assertGenuine(text, decision, kind);
      } else {
        assert.equal(decision.decision, 'reject');
        assert.ok((REJECT_REASONS as readonly string[]).includes(decision.reason), `unknown reason ${decision.reason}`);
        if (decision.reason !== 'malformed') stats.pastParsing++;
      }
      // malformed exactly when the text does not parse: an internal fault is never passed off as malformed.
      assert.equal(decision.reason === 'malformed', !parses(text), `${kind}: ${decision.reason} for ${JSON.stringify(text)}`);
    };

    // The originals themselves: five accepted, the cnf ticket shown as FT1 refused.
    for (const text of originals) run(text, 'original');
    assert.equal(byKind.get('original')!.accepts, 5);

    const holderCodes = originals.filter((text) => text.startsWith('FD1:'));
    for (let i = 0; i < MUTATION_CASES; i++) {
      const roll = random();
      const original = pick(originals);
      if (roll < 0.3) {
        run(mutateText(original), 'text');
      } else if (roll < 0.8) {
        const prefix = random() < 0.97 ? original.slice(0, 4) : pick(['FT1:', 'FD1:']);
        run(prefix + encodeBase45(mutateBytes(decodeBase45(original, 4))), 'bytes');
      } else if (roll < 0.9) {
        const ticket = parseCodeText(pick(holderCodes)).ticket.bytes;
        run(rotatingCodeText(mutateBytes(ticket), fx.holder.privateKey, NOW), 'inner');
      } else if (roll < 0.95) {
        const prefix = pick(['FT1:', 'FD1:', '', 'FT1', 'HC1:']);
        run(prefix + Array.from({ length: int(700) }, () => pick([...ALPHABET])).join(''), 'random');
      } else {
        const bytes = Uint8Array.from({ length: int(400) }, () => int(256));
        run(pick(['FT1:', 'FD1:']) + encodeBase45(bytes), 'random');
      }
    }

    // Mutated claims, validly re-signed by the trusted issuer: deep claim parsing behind a good signature.
    const claimsPayload = parseCoseSign1(decodeBase45(originals[0]!, 4)).payload;
    for (let i = 0; i < RESIGNED_CLAIM_CASES; i++) {
      run(ticketText(fx.signPayload(mutateBytes(claimsPayload))), 'resigned');
    }

    // Random CBOR shaped like a ticket: a COSE_Sign1 with a trusted kid around a valid claims map
    // with arbitrary entries laid over it, and a random signature.
    const protectedHeader = encodeProtectedHeader(fx.issuer.kid);
    const claimKey = fc.oneof(fc.constantFrom<number | string>(1, 4, 5, 6, 7, 8, 'prd', 'cls', 'zon', 'mod'), fc.integer(), fc.string());
    const claimValue = fc.oneof(fc.nat(), fc.integer(), fc.string(), fc.uint8Array({ maxLength: 40 }), fc.array(fc.nat(), { maxLength: 4 }), fc.double(), fc.boolean(), fc.constant(null));
    const plainClaims = decodeCbor(encodeClaims(ticketClaims())) as Map<unknown, unknown>;
    const boundClaims = decodeCbor(encodeClaims(ticketClaims({ holderKey: fx.holder.raw }))) as Map<unknown, unknown>;
    fc.assert(
      fc.property(fc.array(fc.tuple(claimKey, claimValue), { maxLength: 4 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.boolean(), (entries, signature, level2) => {
        const claims = new Map(level2 ? boundClaims : plainClaims);
        for (const [key, value] of entries) claims.set(key, value);
        const ticket = encodeCbor(new Tag([protectedHeader, new Map(), encodeCbor(claims), signature], 18));
        run(level2 ? rotatingCodeText(ticket, fx.holder.privateKey, NOW) : ticketText(ticket), 'arbitrary');
      }),
      { seed: 2026, numRuns: ARBITRARY_CBOR_CASES },
    );

    // Arbitrary text of any characters and length (over 1 KiB included).
    fc.assert(
      fc.property(fc.constantFrom('FT1:', 'FD1:', ''), fc.string({ maxLength: 1100, unit: 'binary' }), (prefix, rest) => {
        run(prefix + rest, 'random');
      }),
      { seed: 9285, numRuns: RANDOM_TEXT_CASES },
    );

    const seconds = (performance.now() - started) / 1000;
    const summary = [...byKind].map(([kind, s]) => `${kind}: ${s.cases} cases, ${s.pastParsing} past parsing, ${s.accepts} accepted`);
    t.diagnostic(`${cases} fuzz cases in ${seconds.toFixed(1)} s`);
    t.diagnostic(summary.join('; '));
    t.diagnostic([...counts].map(([reason, n]) => `${reason}=${n}`).join(' '));

    assert.ok(cases >= 100_000);
    // The mutations reach the deep checks, not only the Base45/CBOR front door.
    const bytes = byKind.get('bytes')!;
    assert.ok(bytes.pastParsing > bytes.cases * 0.05, `only ${bytes.pastParsing} byte mutations got past parsing`);
    for (const reason of ['malformed', 'unknown_key', 'bad_signature'] as const) {
      assert.ok((counts.get(reason) ?? 0) > 0, `no case reached ${reason}`);
    }
  });
});
