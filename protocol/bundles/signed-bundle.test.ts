import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import nacl from 'tweetnacl';
import { encodeCbor } from '../ticket/cbor.ts';
import { buildCoseSign1, parseCoseSign1, sigStructure } from '../ticket/cose-sign1.ts';
import { generateEd25519, rawPublicKey, signEd25519, signingKeyFrom } from '../ticket/ed25519.ts';
import { BundleError, checkNotRollback, openBundle, signBundle } from './signed-bundle.ts';

const root = signingKeyFrom(generateEd25519().privateKey);
const rootPublic = createPublicKey(root.privateKey);
const impostor = signingKeyFrom(generateEd25519().privateKey);
const TYPE = 'faregate.test/1';

const bundle = signBundle({ type: TYPE, version: 7, issuedAt: 1_767_225_600 }, new Map([['msg', 'hello']]), root);

function signRaw(payload: unknown): Uint8Array {
  return buildCoseSign1(encodeCbor(payload), root.kid, (tbs) => signEd25519(root.privateKey, tbs));
}

function refuses(bytes: Uint8Array, message: RegExp): void {
  assert.throws(() => openBundle(bytes, rootPublic, TYPE), (error: unknown) => {
    assert.ok(error instanceof BundleError, `expected BundleError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('signed bundles', () => {
  test('opens what the root key signed: type, version, issue time and body', () => {
    const opened = openBundle(bundle, rootPublic, TYPE);
    assert.equal(opened.type, TYPE);
    assert.equal(opened.version, 7);
    assert.equal(opened.issuedAt, 1_767_225_600);
    assert.equal(opened.body.get('msg'), 'hello');
  });

  test('is a COSE_Sign1 that tweetnacl verifies with the root public key', () => {
    const cose = parseCoseSign1(bundle);
    const raw = rawPublicKey(rootPublic);
    assert.ok(nacl.sign.detached.verify(sigStructure(cose.protectedBytes, cose.payload), cose.signature, raw));
  });

  test('refuses a bundle signed by another key', () => {
    const forged = signBundle({ type: TYPE, version: 8, issuedAt: 0 }, new Map(), impostor);
    refuses(forged, /does not verify with the pinned root key/);
  });

  test('refuses a bundle with any single payload byte flipped', () => {
    const cose = parseCoseSign1(bundle);
    const payloadStart = bundle.length - 64 - 2 - cose.payload.length;
    for (let i = 0; i < cose.payload.length; i++) {
      const tampered = Uint8Array.from(bundle);
      tampered[payloadStart + i]! ^= 0x01;
      assert.throws(() => openBundle(tampered, rootPublic, TYPE), BundleError, `byte ${i}`);
    }
  });

  test('refuses a bundle of another type', () => {
    assert.throws(
      () => openBundle(bundle, rootPublic, 'faregate.other/1'),
      (error: unknown) => error instanceof BundleError && /expected a faregate.other\/1 bundle, got faregate.test\/1/.test(error.message),
    );
  });

  test('refuses bytes that are not a COSE_Sign1', () => {
    refuses(Uint8Array.of(1, 2, 3), /bundle is malformed/);
  });

  test('refuses a signed payload that is not CBOR, not a map, or lacks an unsigned version or issue time', () => {
    const notCbor = buildCoseSign1(Uint8Array.of(0xa1), root.kid, (tbs) => signEd25519(root.privateKey, tbs));
    refuses(notCbor, /payload is not CBOR/);
    refuses(signRaw([TYPE, 1, 2]), /payload must be a map/);
    refuses(signRaw(new Map<string, unknown>([['typ', TYPE], ['ver', -1], ['iat', 0]])), /version must be an unsigned/);
    refuses(signRaw(new Map<string, unknown>([['typ', TYPE], ['ver', 1]])), /iat must be an unsigned/);
  });

  test('checkNotRollback: a first or higher version is newer, an equal one the same, a lower one refused as rollback', () => {
    assert.equal(checkNotRollback('trust list', undefined, 0), 'newer');
    assert.equal(checkNotRollback('trust list', 4, 5), 'newer');
    assert.equal(checkNotRollback('trust list', 5, 5), 'same');
    assert.throws(() => checkNotRollback('trust list', 5, 4), (error: unknown) => {
      assert.ok(error instanceof BundleError);
      assert.match(error.message, /trust list bundle version 4 is older than the held version 5 \(rollback refused\)/);
      return true;
    });
  });

  describe('strict encoding', () => {
    const payload = (): Uint8Array => encodeCbor(new Map<string, unknown>([['typ', TYPE], ['ver', 7], ['iat', 1_767_225_600]]));
    const signPayload = (bytes: Uint8Array): Uint8Array => buildCoseSign1(bytes, root.kid, (tbs) => signEd25519(root.privateKey, tbs));

    test('refuses a correctly signed bundle with a duplicate ver (a rollback hidden behind "last wins")', () => {
      const map = payload();
      const duplicated = Uint8Array.from([map[0]! + 1, ...map.subarray(1), ...encodeCbor('ver'), ...encodeCbor(1_000_000)]);
      refuses(signPayload(duplicated), /duplicate map key/);
    });

    test('refuses ver in a longer form than needed, or sent as a float', () => {
      const map = Buffer.from(payload());
      const at = map.indexOf(Buffer.from([...encodeCbor('ver'), 0x07]));
      const longer = Uint8Array.from([...map.subarray(0, at + 4), 0x18, 0x07, ...map.subarray(at + 5)]);
      refuses(signPayload(longer), /not preferred/);
      const float = Uint8Array.from([...map.subarray(0, at + 4), 0xf9, 0x47, 0x00, ...map.subarray(at + 5)]);
      refuses(signPayload(float), /float/);
      assert.equal(openBundle(signPayload(payload()), rootPublic, TYPE).version, 7);
    });

    test('refuses an envelope in a longer form than needed', () => {
      const long = Uint8Array.from([0xd2, 0x98, 0x04, ...bundle.subarray(2)]);
      refuses(long, /not preferred/);
    });

    test('signs millisecond versions as integers, which open', () => {
      const ms = signBundle({ type: TYPE, version: 1_764_442_234_880, issuedAt: 1_764_442_234 }, new Map(), root);
      assert.equal(openBundle(ms, rootPublic, TYPE).version, 1_764_442_234_880);
    });
  });
});
