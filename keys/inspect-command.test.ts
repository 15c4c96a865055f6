import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keysCli } from '../runtime/testing/run-cli.ts';
import { makeTempDir } from '../runtime/testing/temp-dir.ts';

const DAY = ['--from', '2026-01-01T00:00:00Z', '--until', '2026-01-02T00:00:00Z'];

describe('keys inspect', () => {
  let root: string;
  let remove: () => Promise<void>;
  let dir: string;
  let ticket: string;
  before(async () => {
    ({ dir: root, remove } = await makeTempDir('inspect'));
    dir = join(root, 'keys');
    assert.equal(keysCli('init', '--dir', dir, '--operator', 'metro.example').status, 0);
    const issued = keysCli('issue', '--dir', dir, '--product', 'day', '--class', 'child', '--zones', '2,3', '--modes', 'bus', ...DAY);
    assert.equal(issued.status, 0, issued.stderr);
    ticket = issued.stdout.trim();
  });
  after(() => remove());

  it('shows claims, key, issuer and validity window in readable form, and asks for --keys to decide', () => {
    const result = keysCli('inspect', ticket);
    assert.equal(result.status, 0, result.stderr);
    const text = result.stdout;
    assert.match(text, /^kind +FT1 ticket \(level 1\)$/m);
    assert.match(text, /^ticket id +[0-9a-f]{24}$/m);
    assert.match(text, /^key id +[0-9a-f]{16}$/m);
    assert.match(text, /^issuer +\(not in the ticket; the key id names it\)$/m);
    assert.match(text, /^product +day, class child$/m);
    assert.match(text, /^zones +2, 3$/m);
    assert.match(text, /^modes +bus$/m);
    assert.match(text, /^valid +2026-01-01T00:00:00Z \.\. 2026-01-02T00:00:00Z$/m);
    assert.match(text, /^decision +give --keys DIR/m);
  });

  it('with --keys gives the decision the validator would take, and why', () => {
    const inWindow = JSON.parse(keysCli('inspect', ticket, '--keys', dir, '--at', '2026-01-01T10:00:00Z', '--json').stdout) as {
      keyId: string;
      check: { decision: string; reason: string; keyWindow: string; gate: { zone: number; mode: string } };
    };
    assert.equal(inWindow.check.decision, 'accept');
    assert.equal(inWindow.check.reason, 'ok');
    assert.deepEqual([inWindow.check.gate.zone, inWindow.check.gate.mode], [2, 'bus']);
    assert.match(inWindow.check.keyWindow, /^trusted .* operator metro\.example$/);
    const later = keysCli('inspect', ticket, '--keys', dir, '--at', '2026-01-03T00:00:00Z');
    assert.match(later.stdout, /^decision +reject: expired$/m);
    const elsewhere = keysCli('inspect', ticket, '--keys', dir, '--at', '2026-01-01T10:00:00Z', '--zone', '1');
    assert.match(elsewhere.stdout, /^decision +reject: wrong_zone$/m);
    assert.match(elsewhere.stdout, /^checked +at 2026-01-01T10:00:00Z, zone 1, bus, entry/m);
  });

  it('decodes a rotating FD1 code and shows when it was made', () => {
    const holderKey = join(root, 'holder.key.pem');
    const holderPub = join(root, 'holder.pub.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', holderKey]);
    execFileSync('openssl', ['pkey', '-in', holderKey, '-pubout', '-out', holderPub]);
    const bound = keysCli('issue', '--dir', dir, '--product', 'day', ...DAY, '--holder-key', holderPub).stdout.trim();
    const code = keysCli('code', '--holder-key', holderKey, '--ticket', bound, '--at', '2026-01-01T10:00:00Z').stdout.trim();
    const result = keysCli('inspect', code, '--keys', dir, '--at', '2026-01-01T10:00:05Z');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^kind +FD1 rotating code \(level 2\)$/m);
    assert.match(result.stdout, /^code made at +2026-01-01T10:00:00Z$/m);
    assert.match(result.stdout, /^holder key +[0-9a-f]{64} /m);
    assert.match(result.stdout, /^decision +accept$/m);
  });

  it('says in one line why a text cannot be decoded, exit 2', () => {
    const result = keysCli('inspect', 'FT1:garbage');
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.match(result.stderr, /^keys: CODE cannot be decoded: .*\(Base45: invalid character "g" at position 4\)$/m);
    const damaged = keysCli('inspect', `${ticket.slice(0, -3)}`);
    assert.equal(damaged.status, 2);
    assert.match(damaged.stderr, /cannot be decoded: the characters decode, but not to a signed Faregate ticket.*\(COSE: /);
  });
});
