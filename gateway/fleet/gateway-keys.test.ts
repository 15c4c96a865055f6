import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { denyHashOfTicket, DenySet, openDenyList } from '../../protocol/bundles/deny-list.ts';
import { openBundle } from '../../protocol/bundles/signed-bundle.ts';
import { openFareSettings, openTimeBeacon, signTimeBeacon, TIME_TYPE } from '../../protocol/bundles/downlink-bundles.ts';
import { encodeCbor } from '../../protocol/ticket/cbor.ts';
import { buildCoseSign1 } from '../../protocol/ticket/cose-sign1.ts';
import { parsePrivateKeyPem, signEd25519, signingKeyFrom } from '../../protocol/ticket/ed25519.ts';
import { openTrustList } from '../../protocol/bundles/trust-list.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { initKeys, removeIssuer, rotateIssuer } from '../../keys/keyring.ts';
import { KEYS_FILES, KeysDirError, readKeyring, readRootPublicKey } from '../../keys/keys-dir.ts';
import { readBundleSigner, revokeSigningKey } from '../../keys/signing-keys.ts';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { FleetPublisher, type BundlePublisher } from './fleet-publisher.ts';
import { prepareGatewayKeys } from './gateway-keys.ts';
import { KeysDirWatch } from './keys-dir-watch.ts';

const root = mkdtempSync(join(tmpdir(), 'faregate-gateway-keys-'));
after(() => rmSync(root, { recursive: true, force: true }));

function capturingLogger() {
  const lines: Array<{ msg: string }> = [];
  return { lines, logger: pino({}, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) }) };
}

/** Every publish, in order. */
class RecordingBroker implements BundlePublisher {
  readonly sent: Array<{ topic: string; payload: Uint8Array }> = [];
  async publish(topic: string, payload: Buffer | Uint8Array): Promise<void> {
    this.sent.push({ topic, payload: new Uint8Array(payload) });
  }
  last(topic: string): Uint8Array | undefined {
    return this.sent.findLast((message) => message.topic === topic)?.payload;
  }
}

describe('gateway keys at start', () => {
  it('creates a development keys directory with a signing key, and signs bundles with that key, not the root', () => {
    const dir = join(root, 'fresh');
    const { logger, lines } = capturingLogger();
    prepareGatewayKeys(dir, 'metro.example', logger);
    const state = readKeyring(dir);
    assert.equal(state.signingKeys?.length, 1);
    assert.ok(lines.some((line) => /created a development one/.test(line.msg)));
    const signer = readBundleSigner(dir, TIME_TYPE, { allowRoot: false });
    assert.ok(signer.certificate);
    assert.equal(openBundle(signTimeBeacon(Date.now(), signer), readRootPublicKey(dir), TIME_TYPE).signer, state.signingKeys![0]!.kid);
  });

  it('refuses to start on a directory with no valid signing key and no root key, saying what to run', () => {
    const dir = join(root, 'offline-root');
    initKeys(dir, {});
    const kid = readKeyring(dir).signingKeys![0]!.kid;
    revokeSigningKey(dir, kid);
    rmSync(join(dir, KEYS_FILES.rootPrivate));
    assert.throws(() => prepareGatewayKeys(dir, undefined, pino({ level: 'silent' })), (error: unknown) => {
      assert.ok(error instanceof KeysDirError);
      assert.match(error.message, /has no valid signing key for faregate\.deny\/1.*signing-key create/);
      return true;
    });
    assert.throws(() => readBundleSigner(dir, TIME_TYPE, { allowRoot: false }), /no valid signing key/);
  });

  it('on a directory holding the root key but no valid signing key, certifies one and warns that the root is online', () => {
    const dir = join(root, 'root-online');
    initKeys(dir, {});
    revokeSigningKey(dir, readKeyring(dir).signingKeys![0]!.kid);
    const { logger, lines } = capturingLogger();
    prepareGatewayKeys(dir, undefined, logger);
    const keys = readKeyring(dir).signingKeys!;
    assert.equal(keys.length, 2);
    assert.equal(keys[1]!.revokedAt, undefined);
    assert.ok(lines.some((line) => /root private key .* is in the gateway's keys directory/.test(line.msg)));
    assert.ok(lines.some((line) => /certified a new signing key/.test(line.msg)));
    assert.ok(existsSync(join(dir, 'signing', `${keys[1]!.kid}.key.pem`)));
  });
});

describe('fleet publisher and the keys directory', () => {
  it('signs deny deltas, fares and time beacons with the certified signing key; a removed issuer leaves the published trust list within one poll', async () => {
    const dir = join(root, 'fleet');
    const keysDir = join(dir, 'keys');
    initKeys(keysDir, {});
    const oldKid = readKeyring(keysDir).signingKid;
    rotateIssuer(keysDir, {});
    const ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
    await ledger.start();
    const broker = new RecordingBroker();
    const fleet = new FleetPublisher({ keysDir, timeBeaconIntervalMs: 60_000, fullDenyListDelayMs: 60_000 }, ledger, broker, pino({ level: 'silent' }));
    await fleet.start();
    const watch = new KeysDirWatch({ keysDir, intervalMs: 60_000 }, (file) => fleet.keysDirChanged(file), pino({ level: 'silent' }));
    await watch.start();
    try {
      const rootKey = readRootPublicKey(keysDir);
      const signingKid = readKeyring(keysDir).signingKeys![0]!.kid;
      assert.equal(openBundle(broker.last(topics.time())!, rootKey, TIME_TYPE).signer, signingKid);
      assert.equal(openBundle(broker.last(topics.bundle('fares'))!, rootKey, 'faregate.fares/1').signer, signingKid);
      await fleet.deny({ kind: 'ticket', value: new Uint8Array(12).fill(3), hash: denyHashOfTicket(new Uint8Array(12).fill(3)) });
      assert.equal(openBundle(broker.last(topics.bundle('deny-delta'))!, rootKey, 'faregate.deny-delta/1').signer, signingKid);
      assert.equal(openTimeBeacon(broker.last(topics.time())!, rootKey).timeMs > 0, true);

      const trustBefore = openTrustList(broker.last(topics.bundle('trust'))!, rootKey);
      removeIssuer(keysDir, oldKid);
      await watch.poll();
      const trustAfter = openTrustList(broker.last(topics.bundle('trust'))!, rootKey);
      assert.equal(trustAfter.version, trustBefore.version + 1);
      assert.equal(trustAfter.issuers.some((issuer) => Buffer.from(issuer.kid).toString('hex') === oldKid), false);
      const published = broker.sent.length;
      await watch.poll();
      assert.equal(broker.sent.length, published, 'nothing changed, nothing published');
      assert.ok(openDenyList(broker.last(topics.bundle('deny'))!, rootKey).entries instanceof DenySet);
    } finally {
      await watch.stop();
      await fleet.stop();
      await ledger.stop();
    }
  });

  it('replaces fare settings stored before strict encoding (a float version), which no longer open, instead of failing to start', async () => {
    const dir = join(root, 'old-fares');
    const keysDir = join(dir, 'keys');
    initKeys(keysDir, {});
    const ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
    await ledger.start();
    try {
      const rootKey = signingKeyFrom(parsePrivateKeyPem(readFileSync(join(keysDir, KEYS_FILES.rootPrivate), 'utf8')));
      const payload = encodeCbor(new Map<string, unknown>([['typ', 'faregate.fares/1'], ['ver', 1.5], ['iat', 1]]));
      const old = buildCoseSign1(payload, rootKey.kid, (tbs) => signEd25519(rootKey.privateKey, tbs));
      await ledger.putBundle({ type: 'fares', version: 1, bytes: old, publishedAt: 1 });
      const broker = new RecordingBroker();
      const fleet = new FleetPublisher({ keysDir, timeBeaconIntervalMs: 60_000, fullDenyListDelayMs: 60_000 }, ledger, broker, pino({ level: 'silent' }));
      await fleet.start();
      await fleet.stop();
      const fares = openFareSettings(broker.last(topics.bundle('fares'))!, readRootPublicKey(keysDir));
      assert.ok(fares.version > 1);
      assert.deepEqual(fleet.fares, fares);
    } finally {
      await ledger.stop();
    }
  });
});
