import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keysCli, validatorCli } from '../runtime/testing/run-cli.ts';
import { issueTicket } from './issue-ticket.ts';
import { readIssuerSigningKey, readRootPublicKey } from './keys-dir.ts';
import { openBundle, openSigningCertificate } from '../protocol/bundles/signed-bundle.ts';
import { openTrustList } from '../protocol/bundles/trust-list.ts';
import { toHex } from '../protocol/ticket/ed25519.ts';
import { signTicket, ticketText } from '../protocol/ticket/ticket-code.ts';

function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(full, readFileSync(full).toString('base64'));
    }
  };
  walk(dir);
  return files;
}

function check(dir: string, code: string, extra: string[] = []) {
  const result = validatorCli(['check', '--keys', dir, '--zone', '1', '--mode', 'metro', '--station', 'S1', ...extra, code]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim()) as { decision: string; reason: string };
}

function expectInputError(result: { status: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, pattern);
  assert.equal(result.stderr.trim().split('\n').length, 1, `one line on stderr, got: ${result.stderr}`);
}

const NOW_S = Math.floor(Date.now() / 1000);
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
/** A window around now that every product allows (a day ticket at most 26 h). */
const DAY = ['--from', iso(NOW_S - 3600), '--until', iso(NOW_S + 20 * 3600)];

describe('keys CLI', () => {
  let root: string;
  let dir: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'faregate-keys-'));
    dir = join(root, 'keys');
    const result = keysCli('init', '--dir', dir, '--operator', 'metro.example');
    assert.equal(result.status, 0, result.stderr);
  });

  it('init writes private keys with mode 0600 and refuses to overwrite a keyring', () => {
    assert.equal(statSync(join(dir, 'root.key.pem')).mode & 0o777, 0o600);
    const issuerKey = readdirSync(join(dir, 'issuers')).find((name) => name.endsWith('.key.pem'))!;
    assert.equal(statSync(join(dir, 'issuers', issuerKey)).mode & 0o777, 0o600);
    const before = snapshot(dir);
    expectInputError(keysCli('init', '--dir', dir), /already holds a keyring/);
    assert.deepEqual(snapshot(dir), before);
  });

  it('issues a ticket the validator accepts once, then refuses as passback', () => {
    const ticket = keysCli('issue', '--dir', dir, '--product', 'single', '--zones', '1,2', '--modes', 'metro', ...DAY);
    assert.equal(ticket.status, 0, ticket.stderr);
    const text = ticket.stdout.trim();
    assert.match(text, /^FT1:/);
    const result = validatorCli(['check', '--keys', dir, '--zone', '1', '--mode', 'metro', '--station', 'S1'], `${text}\n${text}\nFT1:garbage\n`);
    const decisions = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { reason: string; detail?: string });
    assert.deepEqual(decisions.map((d) => d.reason), ['ok', 'passback', 'malformed']);
    assert.equal(decisions[2]?.detail, 'Base45: invalid character "g" at position 4', 'validator check says why a code is malformed');
  });

  it('issues for a window relative to now with --valid-for: accepted now, expired once the window and the skew have passed', () => {
    const ticket = keysCli('issue', '--dir', dir, '--product', 'day', '--valid-for', '2h');
    assert.equal(ticket.status, 0, ticket.stderr);
    const text = ticket.stdout.trim();
    assert.equal(check(dir, text).reason, 'ok');
    const later = new Date(Date.now() + 3 * 3600_000).toISOString();
    assert.equal(check(dir, text, ['--at', later]).reason, 'expired');
    expectInputError(keysCli('issue', '--dir', dir, '--product', 'day', '--valid-for', '2 hours'), /--valid-for: "2 hours" is not a duration/);
    expectInputError(keysCli('issue', '--dir', dir, '--product', 'day', '--valid-for', '1d', ...DAY), /exactly one of --until and --valid-for/);
  });

  it('writes the ticket as a QR PNG when asked', () => {
    const png = join(root, 'ticket.png');
    const result = keysCli('issue', '--dir', dir, '--product', 'day', ...DAY, '--png', png);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('refuses an unwritable --png path in one line, exit 2, leaving nothing behind', () => {
    const missingDir = join(root, 'no-such-dir', 'ticket.png');
    expectInputError(keysCli('issue', '--dir', dir, '--product', 'day', ...DAY, '--png', missingDir), /^keys: --png: cannot write .*no-such-dir\/ticket.png \(no such directory\)$/m);
    const busy = join(root, 'busy');
    mkdirSync(join(busy, 'inside'), { recursive: true });
    const before = readdirSync(root).sort();
    const result = keysCli('issue', '--dir', dir, '--product', 'day', ...DAY, '--png', busy);
    expectInputError(result, /^keys: --png: cannot write .*busy \(it is a directory\)$/m);
    assert.equal(result.stdout, '', 'no ticket printed when its PNG could not be written');
    assert.deepEqual(readdirSync(root).sort(), before);
    assert.deepEqual(readdirSync(busy), ['inside']);
  });

  it('trusts an issuer key made by openssl within its window, and its tickets check', () => {
    const keyPath = join(root, 'outside.key.pem');
    const pubPath = join(root, 'outside.pub.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', keyPath]);
    execFileSync('openssl', ['pkey', '-in', keyPath, '-pubout', '-out', pubPath]);
    const added = keysCli('add-issuer', '--dir', dir, '--public-key', pubPath, '--not-before', '2026-01-01T00:00:00Z');
    assert.equal(added.status, 0, added.stderr);
    const list = JSON.parse(keysCli('list', '--dir', dir, '--json').stdout) as { issuers: Array<{ kid: string; hasPrivateKey: boolean }> };
    const outside = list.issuers.find((issuer) => !issuer.hasPrivateKey)!;
    assert.ok(outside, 'the openssl key is listed as public only');
  });

  it('rejects bad input with one clear line and exit code 2, leaving the directory untouched', () => {
    const before = snapshot(dir);
    expectInputError(keysCli('add-issuer', '--dir', dir, '--public-key', join(root, 'missing.pem')), /--public-key: cannot read/);
    const rsaPath = join(root, 'rsa.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'rsa', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', rsaPath]);
    expectInputError(keysCli('add-issuer', '--dir', dir, '--public-key', rsaPath), /rsa key, expected Ed25519/);
    expectInputError(keysCli('issue', '--dir', dir, '--product', 'single', '--from', 'tomorrow', '--until', '2030-01-01T00:00:00Z'), /--from "tomorrow": not an ISO 8601 time/);
    expectInputError(keysCli('issue', '--dir', dir, '--product', 'single', '--from', '2026-02-30T00:00:00Z', '--until', '2030-01-01T00:00:00Z'), /--from "2026-02-30T00:00:00Z": there is no day 30 in 2026-02/);
    expectInputError(keysCli('issue', '--dir', dir, '--product', 'single', '--from', '2026-01-01T00:00:00Z', '--until', '2030-01-01T08:00'), /--until "2030-01-01T08:00": the time has no zone/);
    expectInputError(keysCli('deny', '--dir', dir, '--ticket', 'FT1:garbage'), /--ticket: the ticket text cannot be decoded: .*Base45 characters.*\(Base45: invalid character "g" at position 4\)/);
    expectInputError(keysCli('issue', '--dir', dir, '--product', 'weekly', ...DAY), /product: must be one of/);
    expectInputError(keysCli('issue', '--dir', dir, '--product', 'single', '--zones', '1,x', ...DAY), /--zones: "x" is not a whole number/);
    expectInputError(keysCli('retire', '--dir', dir, '--kid', 'zz'), /--kid/);
    expectInputError(keysCli('deny', '--dir', dir), /exactly one of --ticket and --holder-key/);
    const unknown = keysCli('frobnicate');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr.split('\n')[0]!, /^keys: unknown command "frobnicate"$/);
    assert.deepEqual(snapshot(dir), before);
  });

  it('rotates: the new key signs, tickets of the old key still check until it is retired', () => {
    const oldTicket = keysCli('issue', '--dir', dir, '--product', 'period', ...DAY).stdout.trim();
    const listBefore = JSON.parse(keysCli('list', '--dir', dir, '--json').stdout) as { signingKid: string };
    assert.equal(keysCli('rotate', '--dir', dir).status, 0);
    const listAfter = JSON.parse(keysCli('list', '--dir', dir, '--json').stdout) as { signingKid: string; trustList: { version: number } };
    assert.notEqual(listAfter.signingKid, listBefore.signingKid);
    assert.equal(check(dir, oldTicket, ['--direction', 'exit']).reason, 'ok');
    // An attacker's copy of the old private key, taken before it is retired.
    const oldKey = readIssuerSigningKey(dir, listBefore.signingKid);
    // Retiring ends the old key's window now and destroys its private key: what it signed
    // before still checks, anything it signs later does not.
    const retired = keysCli('retire', '--dir', dir, '--kid', listBefore.signingKid);
    assert.equal(retired.status, 0, retired.stderr);
    assert.match(retired.stdout, /private key is destroyed/);
    assert.equal(existsSync(join(dir, 'issuers', `${listBefore.signingKid}.key.pem`)), false);
    assert.equal(existsSync(join(dir, 'issuers', `${listBefore.signingKid}.pub.pem`)), true);
    const listRetired = JSON.parse(keysCli('list', '--dir', dir, '--json').stdout) as { issuers: Array<{ kid: string; hasPrivateKey: boolean }> };
    assert.equal(listRetired.issuers.find((issuer) => issuer.kid === listBefore.signingKid)?.hasPrivateKey, false);
    assert.equal(check(dir, oldTicket, ['--direction', 'exit']).reason, 'ok');
    const late = issueTicket({ product: 'day', validFrom: NOW_S - 60, validUntil: NOW_S + 20 * 3600 }, oldKey, Date.now() / 1000 + 60);
    assert.equal(check(dir, late.text).reason, 'key_not_valid');
    // The attack of issue 10: the copied key, an iat backdated into its window, valid until 2100.
    const cti = new Uint8Array(12).fill(7);
    const forged = ticketText(signTicket({ iat: NOW_S - 3600, nbf: NOW_S - 60, exp: 4_102_444_800, cti, prd: 'period', cls: 'adult' }, oldKey));
    assert.equal(check(dir, forged).reason, 'key_not_valid');
  });

  it('denies a ticket and a holder key; the validator then refuses them as revoked', () => {
    const ticket = keysCli('issue', '--dir', dir, '--product', 'day', ...DAY).stdout.trim();
    assert.equal(keysCli('deny', '--dir', dir, '--ticket', ticket, '--reason', 'reported stolen').status, 0);
    assert.equal(check(dir, ticket).reason, 'revoked');

    const holderKey = join(root, 'holder.key.pem');
    const holderPub = join(root, 'holder.pub.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', holderKey]);
    execFileSync('openssl', ['pkey', '-in', holderKey, '-pubout', '-out', holderPub]);
    const bound = keysCli('issue', '--dir', dir, '--product', 'day', ...DAY, '--holder-key', holderPub).stdout.trim();
    const at = iso(NOW_S);
    const code = keysCli('code', '--holder-key', holderKey, '--ticket', bound, '--at', at);
    assert.equal(code.status, 0, code.stderr);
    assert.match(code.stdout, /^FD1:/);
    assert.equal(check(dir, code.stdout.trim(), ['--at', at]).reason, 'ok');
    assert.equal(check(dir, bound, ['--at', at]).reason, 'holder_proof_required');
    assert.equal(keysCli('deny', '--dir', dir, '--holder-key', holderPub).status, 0);
    assert.equal(check(dir, code.stdout.trim(), ['--at', at, '--station', 'S2']).reason, 'revoked');
    const list = JSON.parse(keysCli('list', '--dir', dir, '--json').stdout) as { denyList: { entries: number } };
    assert.equal(list.denyList.entries, 2);
  });

  it('removes a compromised issuer key: gone from the next trust list, its tickets unknown, its files destroyed, never trusted again', () => {
    assert.equal(keysCli('rotate', '--dir', dir).status, 0);
    const before = JSON.parse(keysCli('list', '--dir', dir, '--json').stdout) as { signingKid: string; issuers: Array<{ kid: string }>; trustList: { version: number } };
    const compromised = before.issuers.find((issuer) => issuer.kid !== before.signingKid && existsSync(join(dir, 'issuers', `${issuer.kid}.key.pem`)));
    assert.ok(compromised, 'an earlier issuer with its private key');
    const stolen = readIssuerSigningKey(dir, compromised.kid);
    const ticket = issueTicket({ product: 'day', validFrom: NOW_S - 60, validUntil: NOW_S + 20 * 3600 }, stolen, Date.now() / 1000);
    assert.equal(check(dir, ticket.text).reason, 'ok');
    const publicPem = join(root, 'compromised.pub.pem');
    writeFileSync(publicPem, readFileSync(join(dir, 'issuers', `${compromised.kid}.pub.pem`)));
    expectInputError(keysCli('remove', '--dir', dir, '--kid', before.signingKid), /current signing key; rotate first/);
    const removed = keysCli('remove', '--dir', dir, '--kid', compromised.kid);
    assert.equal(removed.status, 0, removed.stderr);
    const after = JSON.parse(keysCli('list', '--dir', dir, '--json').stdout) as { issuers: Array<{ kid: string }>; removedIssuers: Array<{ kid: string }>; trustList: { version: number } };
    assert.equal(after.trustList.version, before.trustList.version + 1);
    const trust = openTrustList(readFileSync(join(dir, 'trust-list.cbor')), readRootPublicKey(dir));
    assert.equal(trust.issuers.some((issuer) => toHex(issuer.kid) === compromised.kid), false);
    assert.deepEqual(after.removedIssuers.map((entry) => entry.kid), [compromised.kid]);
    assert.equal(check(dir, ticket.text).reason, 'unknown_key');
    assert.equal(existsSync(join(dir, 'issuers', `${compromised.kid}.key.pem`)), false);
    assert.equal(existsSync(join(dir, 'issuers', `${compromised.kid}.pub.pem`)), false);
    expectInputError(keysCli('add-issuer', '--dir', dir, '--public-key', publicPem), /was removed as compromised/);
  });

  it('certifies and revokes online signing keys; the revoked one goes into the trust list and its private key is destroyed', () => {
    const created = keysCli('signing-key', 'create', '--dir', dir, '--validity-days', '30', '--kinds', 'deny,deny-delta,time');
    assert.equal(created.status, 0, created.stderr);
    const kid = /signing key ([0-9a-f]{16})/.exec(created.stdout)![1]!;
    const certificate = openSigningCertificate(readFileSync(join(dir, 'signing', `${kid}.cert.cbor`)), readRootPublicKey(dir));
    assert.deepEqual(certificate.types, ['faregate.deny/1', 'faregate.deny-delta/1', 'faregate.time/1']);
    assert.equal(certificate.notAfter - certificate.notBefore, 30 * 86_400);
    assert.equal(statSync(join(dir, 'signing', `${kid}.key.pem`)).mode & 0o777, 0o600);
    // keys deny now signs with the newest signing key certified for deny lists.
    const ticket = keysCli('issue', '--dir', dir, '--product', 'day', ...DAY).stdout.trim();
    assert.equal(keysCli('deny', '--dir', dir, '--ticket', ticket).status, 0);
    assert.equal(openBundle(readFileSync(join(dir, 'deny-list.cbor')), readRootPublicKey(dir), 'faregate.deny/1').signer, kid);
    assert.equal(check(dir, ticket).reason, 'revoked');
    expectInputError(keysCli('signing-key', 'create', '--dir', dir, '--kinds', 'trust'), /"trust" is not one of .*trust lists only the root signs/);
    const revoked = keysCli('signing-key', 'revoke', '--dir', dir, '--kid', kid);
    assert.equal(revoked.status, 0, revoked.stderr);
    const trust = openTrustList(readFileSync(join(dir, 'trust-list.cbor')), readRootPublicKey(dir));
    assert.deepEqual(trust.revokedSigners?.map(toHex), [kid]);
    assert.equal(existsSync(join(dir, 'signing', `${kid}.key.pem`)), false);
    // The deny list it signed is re-signed by the root, so gates holding the new trust list accept it.
    const deny = openBundle(readFileSync(join(dir, 'deny-list.cbor')), readRootPublicKey(dir), 'faregate.deny/1');
    assert.equal(deny.signer, 'root');
    assert.equal(check(dir, ticket).reason, 'revoked');
    expectInputError(keysCli('signing-key', 'revoke', '--dir', dir, '--kid', kid), /was revoked at/);
    expectInputError(keysCli('signing-key', 'rotate', '--dir', dir), /give create or revoke/);
  });

  it('a directory it may not write: one line naming the file and the error, exit 2, nothing created', () => {
    const target = '/sys/faregate-keys-test';
    expectInputError(keysCli('init', '--dir', target), /^keys: cannot write \/sys\/faregate-keys-test: E(PERM|ROFS|ACCES) \(.+\); nothing was changed\n$/);
    assert.equal(existsSync(target), false);
  });
});
