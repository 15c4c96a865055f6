/**
 * The ticket check's cost against its own floor, measured in one run: node's bare
 * Ed25519 verify, the full decision for level-1 tickets and level-2 codes (distinct
 * tickets, more than the verification cache holds, so every decision verifies),
 * hostile input, and tweetnacl's pure-JS verify as the naive baseline.
 */
import nacl from 'tweetnacl';
import { createPublicKey, randomBytes } from 'node:crypto';
import { DenySet, signDenyList } from '../../protocol/bundles/deny-list.ts';
import { signTrustList } from '../../protocol/bundles/trust-list.ts';
import { parseCoseSign1, sigStructure } from '../../protocol/ticket/cose-sign1.ts';
import { strictCborProblem } from '../../protocol/ticket/strict-cbor.ts';
import {
  generateEd25519,
  kidOf,
  rawPublicKey,
  signingKeyFrom,
  verifyEd25519,
} from '../../protocol/ticket/ed25519.ts';
import { rotatingCodeText, ticketBytesFromText } from '../../protocol/ticket/ticket-code.ts';
import { issueTicket } from '../../keys/issue-ticket.ts';
import { DEFAULT_CHECK_SETTINGS } from '../../protocol/bundles/check-settings.ts';
import { PassbackState } from '../../validator/check/passback-state.ts';
import { keyedPassbackState } from '../../validator/passback/station-key.ts';
import { TicketChecker, type GateContext } from '../../validator/check/ticket-checker.ts';
import { TrustStore } from '../../validator/check/trust-store.ts';
import { printTable, timeEach, verdict, type Summary } from './stats.ts';

const DISTINCT = 4000; // above the checker's 2048-entry verification cache
const RUNS = 20_000;

export interface TicketCheckResults {
  bareVerify: Summary;
  level1: Summary;
  level2: Summary;
}

export function benchTicketCheck(): TicketCheckResults {
  const now = Math.floor(Date.now() / 1000);
  const root = signingKeyFrom(generateEd25519().privateKey);
  const issuerPair = generateEd25519();
  const issuer = signingKeyFrom(issuerPair.privateKey);
  const issuerRaw = rawPublicKey(issuerPair.publicKey);
  const store = new TrustStore(createPublicKey(root.privateKey));
  store.applyTrustList(signTrustList({ version: 1, issuedAt: now, issuers: [{ kid: kidOf(issuerRaw), publicKey: issuerRaw, notBefore: now - 60 }] }, root));
  // A realistic deny list: 100,000 entries.
  const deny = DenySet.fromUnsorted(Array.from({ length: 100_000 }, () => randomBytes(8).readBigUInt64BE(0)));
  store.applyDenyList(signDenyList({ version: 1, issuedAt: now, entries: deny }, root));

  const request = { product: 'day', zones: [1, 2], modes: ['metro'], validFrom: now - 60, validUntil: now + 86_400 };
  const level1 = Array.from({ length: DISTINCT }, () => issueTicket(request, issuer, now).text);
  const holder = generateEd25519();
  const holderRaw = rawPublicKey(holder.publicKey);
  const level2 = Array.from({ length: DISTINCT }, () => {
    const ticket = issueTicket({ ...request, holderKey: holderRaw }, issuer, now);
    return rotatingCodeText(ticket.bytes, holder.privateKey, now);
  });

  // passbackSeconds 0: every decision runs every check and records the entry, none is refused.
  const settings = { ...DEFAULT_CHECK_SETTINGS, passbackSeconds: 0 };
  const checker = new TicketChecker(store, new PassbackState(), settings);
  const gate: GateContext = { station: 'S1', zone: 1, mode: 'metro', direction: 'entry' };
  const clock = { seconds: now, trusted: true };
  const sample = parseCoseSign1(ticketBytesFromText(level1[0]!));
  const tbs = sigStructure(sample.protectedBytes, sample.payload);
  let accepted = 0;

  const bareVerify = timeEach('node Ed25519 verify (bare)', RUNS, () => {
    if (!verifyEd25519(issuerPair.publicKey, tbs, sample.signature)) throw new Error('verify failed');
  });
  const level1Summary = timeEach('decision, level-1 ticket', RUNS, (i) => {
    if (checker.check(level1[i % DISTINCT]!, gate, clock).decision === 'accept') accepted++;
  });
  // As in the service: tickets filed under the station's keyed hash (HMAC-SHA256), shared with peers.
  const keyedChecker = new TicketChecker(store, keyedPassbackState(randomBytes(32)), settings);
  const keyedSummary = timeEach('decision, level-1, keyed passback', RUNS, (i) => {
    if (keyedChecker.check(level1[i % DISTINCT]!, gate, clock).decision === 'accept') accepted++;
  });
  const level2Summary = timeEach('decision, level-2 code (2 verifies)', RUNS, (i) => {
    if (checker.check(level2[i % DISTINCT]!, gate, clock).decision === 'accept') accepted++;
  });
  // The strict encoding check alone, on the three CBOR items of a ticket (it runs inside every decision above).
  const sampleBytes = ticketBytesFromText(level1[0]!);
  const strictSummary = timeEach('strict CBOR check of one ticket (3 items)', RUNS, () => {
    if (strictCborProblem(sampleBytes, { tags: [18] }) ?? strictCborProblem(sample.protectedBytes) ?? strictCborProblem(sample.payload)) {
      throw new Error('strict check refused a valid ticket');
    }
  });
  const hostile = Array.from({ length: 1000 }, (_, i) => (i % 2 ? 'FT1:' : 'FD1:') + randomBytes(760).toString('base64').slice(0, 1020));
  const hostileSummary = timeEach('decision, 1 KiB garbage', RUNS, (i) => void checker.check(hostile[i % hostile.length]!, gate, clock));
  const naclSummary = timeEach('tweetnacl verify (naive baseline)', 300, () => {
    if (!nacl.sign.detached.verify(tbs, sample.signature, issuerRaw)) throw new Error('verify failed');
  }, 20);
  if (accepted < RUNS * 3) throw new Error(`benchmark setup error: only ${accepted} of ${RUNS * 3} decisions accepted`);

  printTable([bareVerify, level1Summary, keyedSummary, level2Summary, strictSummary, hostileSummary, naclSummary]);
  const ratio1 = level1Summary.medianUs / bareVerify.medianUs;
  const ratio2 = level2Summary.medianUs / (2 * bareVerify.medianUs);
  console.log(`ratio level-1 decision / bare verify (median): ${ratio1.toFixed(2)}`);
  console.log(`ratio level-2 decision / two bare verifies (median): ${ratio2.toFixed(2)}`);
  const keyedRatio = keyedSummary.medianUs / level1Summary.medianUs;
  console.log(`ratio level-1 decision with keyed passback / plain (median): ${keyedRatio.toFixed(2)}`);
  console.log(`strict CBOR check / level-1 decision (median): ${(strictSummary.medianUs / level1Summary.medianUs).toFixed(3)}`);
  console.log(`ratio tweetnacl verify / node verify (median): ${(naclSummary.medianUs / bareVerify.medianUs).toFixed(0)}`);
  console.log(verdict('level-1 decision p99 under 1 ms', level1Summary.p99Us < 1000, `${level1Summary.p99Us.toFixed(0)} µs`));
  console.log(verdict('level-2 decision p99 under 1 ms', level2Summary.p99Us < 1000, `${level2Summary.p99Us.toFixed(0)} µs`));
  console.log(verdict('level-1 decision within 2x of bare verify', ratio1 <= 2, ratio1.toFixed(2)));
  console.log(verdict('keyed passback costs under 10% of a level-1 decision', keyedRatio < 1.1, keyedRatio.toFixed(2)));
  console.log(verdict('over 5,000 decisions/s per core (level-1)', level1Summary.perSecond > 5000, `${Math.round(level1Summary.perSecond)}/s`));
  console.log(verdict('strict CBOR check adds only a few µs (median under 5 µs)', strictSummary.medianUs < 5, `${strictSummary.medianUs.toFixed(1)} µs`));
  console.log(verdict('hostile input p99 under a few hundred µs', hostileSummary.p99Us < 300, `${hostileSummary.p99Us.toFixed(0)} µs`));
  return { bareVerify, level1: level1Summary, level2: level2Summary };
}
