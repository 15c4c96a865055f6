/**
 * `npm start`: the demo on embedded defaults. Until the gateway and simulator land it
 * runs the foundation end to end: a fresh keys directory, tickets issued with the
 * issuer key, a rotating code from a rider's key, and the offline check at a gate.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEd25519, rawPublicKey } from '../protocol/ticket/ed25519.ts';
import { rotatingCodeText } from '../protocol/ticket/ticket-code.ts';
import { issueTicket } from '../keys/issue-ticket.ts';
import { initKeys } from '../keys/keyring.ts';
import { readIssuerSigningKey } from '../keys/keys-dir.ts';
import { DEFAULT_CHECK_SETTINGS } from '../validator/check/check-settings.ts';
import { trustStoreFromKeysDir } from '../validator/check/load-keys-dir.ts';
import { PassbackState } from '../validator/check/passback-state.ts';
import { TicketChecker, type GateContext } from '../validator/check/ticket-checker.ts';

const dir = join(mkdtempSync(join(tmpdir(), 'faregate-demo-')), 'keys');
const state = initKeys(dir, { operator: 'metro.example' });
console.log(`keys: ${dir} (issuer ${state.signingKid})`);

const now = Math.floor(Date.now() / 1000);
const issuer = readIssuerSigningKey(dir, state.signingKid);
const single = issueTicket({ product: 'single', zones: [1], validFrom: now - 60, validUntil: now + 7200 }, issuer, now);
const rider = generateEd25519();
const bound = issueTicket({ product: 'day', validFrom: now - 60, validUntil: now + 86_400, holderKey: rawPublicKey(rider.publicKey) }, issuer, now);
const code = rotatingCodeText(bound.bytes, rider.privateKey, now);

const checker = new TicketChecker(trustStoreFromKeysDir(dir), new PassbackState(), DEFAULT_CHECK_SETTINGS);
const entry: GateContext = { station: 'central', zone: 1, mode: 'metro', direction: 'entry' };
const clock = { seconds: now, trusted: true };
const show = (label: string, text: string, gate = entry): void => {
  const start = process.hrtime.bigint();
  const decision = checker.check(text, gate, clock);
  const micros = Number(process.hrtime.bigint() - start) / 1000;
  console.log(`${label.padEnd(34)} ${decision.decision.padEnd(6)} ${decision.reason.padEnd(22)} ${micros.toFixed(0)} µs`);
};

console.log(`\nsingle ticket (${single.text.length} chars): ${single.text.slice(0, 40)}…`);
show('single ticket at the entry gate', single.text);
show('the same ticket again', single.text);
show('single ticket at zone 2', single.text, { ...entry, station: 'north', zone: 2 });
show('rider app code (FD1, rotating)', code);
show('the bound ticket without its code', bound.text, { ...entry, station: 'north' });
show('garbage', 'FT1:NOT A TICKET');
