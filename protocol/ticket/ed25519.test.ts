import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import nacl from 'tweetnacl';
import {
  generateEd25519,
  KeyError,
  kidOf,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  privateKeyFromSeed,
  privateKeyPem,
  privateKeySeed,
  publicKeyFromRaw,
  publicKeyPem,
  rawPublicKey,
  signEd25519,
  signingKeyFrom,
  toHex,
  verifyEd25519,
} from './ed25519.ts';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

// RFC 8032 section 7.1, TEST 1, 2, 3 and TEST 1024 (a 1023-byte message).
const TEST_1024_MESSAGE =
  '08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb751fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e488acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380db2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0';

const RFC8032_VECTORS = [
  {
    name: 'TEST 1 (empty message)',
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2 (one byte)',
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3 (two bytes)',
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST 1024 (1023 bytes)',
    seed: 'f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5',
    publicKey: '278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e',
    message: TEST_1024_MESSAGE,
    signature:
      '0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03',
  },
];

describe('Ed25519: RFC 8032 section 7.1 vectors', () => {
  test('the TEST 1024 message is 1023 bytes', () => {
    assert.equal(hex(TEST_1024_MESSAGE).length, 1023);
  });

  for (const vector of RFC8032_VECTORS) {
    test(`${vector.name}: node's crypto derives the public key, signs and verifies as the RFC says`, () => {
      const privateKey = privateKeyFromSeed(hex(vector.seed));
      const publicKey = createPublicKey(privateKey);
      assert.equal(toHex(rawPublicKey(publicKey)), vector.publicKey);
      assert.equal(toHex(privateKeySeed(privateKey)), vector.seed);
      assert.equal(toHex(signEd25519(privateKey, hex(vector.message))), vector.signature);
      assert.equal(verifyEd25519(publicFromVector(vector), hex(vector.message), hex(vector.signature)), true);
    });

    test(`${vector.name}: tweetnacl derives the public key, signs and verifies as the RFC says`, () => {
      const keyPair = nacl.sign.keyPair.fromSeed(hex(vector.seed));
      assert.equal(toHex(keyPair.publicKey), vector.publicKey);
      assert.equal(toHex(nacl.sign.detached(hex(vector.message), keyPair.secretKey)), vector.signature);
      assert.equal(nacl.sign.detached.verify(hex(vector.message), hex(vector.signature), hex(vector.publicKey)), true);
    });

    test(`${vector.name}: both implementations refuse a flipped signature bit and a flipped message bit`, () => {
      const signature = hex(vector.signature);
      signature[17]! ^= 0x01;
      const message = vector.message === '' ? Uint8Array.of(0) : hex(vector.message);
      if (vector.message !== '') message[0]! ^= 0x80;
      const publicKey = publicFromVector(vector);
      assert.equal(verifyEd25519(publicKey, hex(vector.message), signature), false);
      assert.equal(nacl.sign.detached.verify(hex(vector.message), signature, hex(vector.publicKey)), false);
      assert.equal(verifyEd25519(publicKey, message, hex(vector.signature)), false);
      assert.equal(nacl.sign.detached.verify(message, hex(vector.signature), hex(vector.publicKey)), false);
    });
  }
});

function publicFromVector(vector: { publicKey: string }) {
  return publicKeyFromRaw(hex(vector.publicKey));
}

describe('Ed25519 keys', () => {
  test('kid is the first 8 bytes of SHA-256 over the raw 32-byte public key', () => {
    const raw = hex(RFC8032_VECTORS[0]!.publicKey);
    const expected = createHash('sha256').update(raw).digest().subarray(0, 8);
    assert.deepEqual(kidOf(raw), new Uint8Array(expected));
    assert.equal(kidOf(raw).length, 8);
    const key = signingKeyFrom(privateKeyFromSeed(hex(RFC8032_VECTORS[0]!.seed)));
    assert.deepEqual(key.kid, new Uint8Array(expected));
  });

  test('a generated key round-trips through PEM, seed and raw public key, and node and tweetnacl agree on it', () => {
    const { privateKey, publicKey } = generateEd25519();
    const seed = privateKeySeed(privateKey);
    assert.deepEqual(rawPublicKey(parsePublicKeyPem(publicKeyPem(publicKey))), rawPublicKey(publicKey));
    assert.deepEqual(privateKeySeed(parsePrivateKeyPem(privateKeyPem(privateKey))), seed);
    assert.deepEqual(nacl.sign.keyPair.fromSeed(seed).publicKey, rawPublicKey(publicKey));
    const message = new TextEncoder().encode('faregate');
    const signature = signEd25519(privateKey, message);
    assert.deepEqual(signature, nacl.sign.detached(message, nacl.sign.keyPair.fromSeed(seed).secretKey));
  });

  test('refuses a raw public key or a seed that is not 32 bytes', () => {
    assert.throws(() => publicKeyFromRaw(new Uint8Array(31)), KeyError);
    assert.throws(() => privateKeyFromSeed(new Uint8Array(33)), /32 bytes, got 33/);
  });

  test('refuses text that is not PEM with a KeyError naming what was expected', () => {
    assert.throws(() => parsePublicKeyPem('not a key', 'root public key'), /root public key is not a PEM public key/);
    assert.throws(() => parsePrivateKeyPem('', 'issuer key'), /issuer key is not a PEM private key/);
  });
});

describe('Ed25519 keys made by openssl', () => {
  let dir = '';
  // stdio 'pipe' keeps openssl's progress dots (RSA key generation) out of the test output.
  const openssl = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'faregate-ed25519-'));
    openssl('genpkey', '-algorithm', 'ed25519', '-out', 'ed.pem');
    openssl('pkey', '-in', 'ed.pem', '-pubout', '-out', 'ed.pub.pem');
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem');
    openssl('pkey', '-in', 'rsa.pem', '-pubout', '-out', 'rsa.pub.pem');
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec.pem');
    openssl('pkey', '-in', 'ec.pem', '-pubout', '-out', 'ec.pub.pem');
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('loads an openssl Ed25519 key pair; a signature by one verifies with the other in node and tweetnacl', () => {
    const privateKey = parsePrivateKeyPem(read('ed.pem'));
    const publicKey = parsePublicKeyPem(read('ed.pub.pem'));
    const raw = rawPublicKey(publicKey);
    assert.equal(raw.length, 32);
    assert.deepEqual(rawPublicKey(createPublicKey(privateKey)), raw);
    const message = new TextEncoder().encode('a ticket, more or less');
    const signature = signEd25519(privateKey, message);
    assert.equal(verifyEd25519(publicKey, message, signature), true);
    assert.equal(nacl.sign.detached.verify(message, signature, raw), true);
    assert.deepEqual(nacl.sign.keyPair.fromSeed(privateKeySeed(privateKey)).publicKey, raw);
  });

  test("verifies a signature made by openssl's own pkeyutl with node and tweetnacl", () => {
    const message = new TextEncoder().encode('signed by openssl');
    writeFileSync(join(dir, 'message.bin'), message);
    openssl('pkeyutl', '-sign', '-rawin', '-inkey', 'ed.pem', '-in', 'message.bin', '-out', 'sig.bin');
    const signature = new Uint8Array(readFileSync(join(dir, 'sig.bin')));
    assert.equal(signature.length, 64);
    const publicKey = parsePublicKeyPem(read('ed.pub.pem'));
    assert.equal(verifyEd25519(publicKey, message, signature), true);
    assert.equal(nacl.sign.detached.verify(message, signature, rawPublicKey(publicKey)), true);
  });

  test('refuses an RSA private or public key with a KeyError that names the key type', () => {
    assert.throws(() => parsePrivateKeyPem(read('rsa.pem'), 'issuer key'), (error: unknown) => {
      assert.ok(error instanceof KeyError);
      assert.equal(error.message, 'issuer key is a rsa key, expected Ed25519');
      return true;
    });
    assert.throws(() => parsePublicKeyPem(read('rsa.pub.pem'), 'root public key'), (error: unknown) => {
      assert.ok(error instanceof KeyError);
      assert.equal(error.message, 'root public key is a rsa key, expected Ed25519');
      return true;
    });
  });

  test('refuses an EC (P-256) private or public key with a KeyError that names the key type', () => {
    assert.throws(() => parsePrivateKeyPem(read('ec.pem')), (error: unknown) => {
      assert.ok(error instanceof KeyError);
      assert.match(error.message, /is a ec key, expected Ed25519/);
      return true;
    });
    assert.throws(() => parsePublicKeyPem(read('ec.pub.pem')), KeyError);
  });

  test('refuses a public key PEM where a private key is expected', () => {
    assert.throws(() => parsePrivateKeyPem(read('ed.pub.pem')), KeyError);
  });
});
