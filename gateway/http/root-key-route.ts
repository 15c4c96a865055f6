/**
 * `GET /api/keys/root` (public, no token): the operator's root public key — raw hex, PEM
 * and JWK — with its SHA-256 fingerprint, and the certificate of the signing key this
 * gateway signs bundles with, so a third party (a gate vendor, an auditor) can pin the
 * root and check the chain (docs/protocol.md, "Signing chain").
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { openSigningCertificate } from '../../protocol/bundles/signed-bundle.ts';
import { kidOf, publicKeyPem, rawPublicKey, toHex } from '../../protocol/ticket/ed25519.ts';
import { readKeyring, readRootPublicKey, signingCertificatePath } from '../../keys/keys-dir.ts';
import { currentSigningKey } from '../../keys/signing-keys.ts';
import { readFileSync } from 'node:fs';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { errorSchema } from './api-errors.ts';

const hex = (length: number) => ({ type: 'string', pattern: `^[0-9a-f]{${length}}$` }) as const;

const rootKeyReply = {
  type: 'object',
  required: ['kid', 'algorithm', 'publicKeyHex', 'publicKeyPem', 'jwk', 'fingerprintSha256', 'signingKey'],
  properties: {
    kid: { ...hex(16), description: 'first 8 bytes of SHA-256 over the raw public key' },
    algorithm: { type: 'string', enum: ['Ed25519'] },
    publicKeyHex: { ...hex(64), description: 'the raw 32-byte Ed25519 public key' },
    publicKeyPem: { type: 'string', description: 'SubjectPublicKeyInfo PEM' },
    jwk: {
      type: 'object',
      required: ['kty', 'crv', 'x', 'kid'],
      properties: { kty: { type: 'string' }, crv: { type: 'string' }, x: { type: 'string' }, kid: { type: 'string' } },
    },
    fingerprintSha256: {
      ...hex(64),
      description: 'SHA-256 over the DER SubjectPublicKeyInfo: `openssl pkey -pubin -in root.pub.pem -outform DER | sha256sum`',
    },
    signingKey: {
      description: "the certified key this gateway signs bundles with; null when it has none",
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['kid', 'publicKeyHex', 'notBefore', 'notAfter', 'types', 'certificate'],
          properties: {
            kid: hex(16),
            publicKeyHex: hex(64),
            notBefore: { type: 'string', format: 'date-time' },
            notAfter: { type: 'string', format: 'date-time' },
            types: { type: 'array', items: { type: 'string' } },
            certificate: { type: 'string', description: 'the root-signed certificate (COSE_Sign1), base64' },
          },
        },
      ],
    },
  },
} as const;

function signingKeyOf(keysDir: string) {
  const entry = currentSigningKey(readKeyring(keysDir), keysDir, undefined, new Date());
  if (!entry) return null;
  const bytes = new Uint8Array(readFileSync(signingCertificatePath(keysDir, entry.kid)));
  const certificate = openSigningCertificate(bytes, readRootPublicKey(keysDir));
  const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
  return {
    kid: toHex(certificate.kid),
    publicKeyHex: toHex(certificate.publicKey),
    notBefore: iso(certificate.notBefore),
    notAfter: iso(certificate.notAfter),
    types: certificate.types,
    certificate: Buffer.from(bytes).toString('base64'),
  };
}

export async function rootKeyRoute(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  app.get(
    '/api/keys/root',
    {
      schema: {
        tags: ['keys'],
        summary: 'The root public key to pin (hex, PEM, JWK, SHA-256 fingerprint) and the current signing key certificate; no token needed',
        response: { 200: rootKeyReply, 429: errorSchema },
      },
    },
    async () => {
      const root = readRootPublicKey(ctx.keysDir);
      const raw = rawPublicKey(root);
      const kid = toHex(kidOf(raw));
      const spki = root.export({ type: 'spki', format: 'der' });
      return {
        kid,
        algorithm: 'Ed25519',
        publicKeyHex: toHex(raw),
        publicKeyPem: publicKeyPem(root),
        jwk: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url'), kid },
        fingerprintSha256: createHash('sha256').update(spki).digest('hex'),
        signingKey: signingKeyOf(ctx.keysDir),
      };
    },
  );
}
