import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readKeyring, readRootPublicKey } from '../../keys/keys-dir.ts';
import { openSigningCertificate } from '../../protocol/bundles/signed-bundle.ts';
import { kidOf, rawPublicKey, toHex } from '../../protocol/ticket/ed25519.ts';
import { apiHarness, TOKEN_CREATE_COMMAND, type ApiHarness } from './api-test-fixture.ts';

interface RootKeyReply {
  kid: string;
  algorithm: string;
  publicKeyHex: string;
  publicKeyPem: string;
  jwk: Record<string, string>;
  fingerprintSha256: string;
  signingKey: { kid: string; publicKeyHex: string; notBefore: string; notAfter: string; types: string[]; certificate: string } | null;
}

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[] }>>;
  components: { securitySchemes: Record<string, { scheme: string }> };
}

describe('public routes', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  it('answers healthz 200 when healthy and 503 when not, without the keys path', async () => {
    const healthy = await h.app.inject({ url: '/healthz' });
    assert.equal(healthy.statusCode, 200);
    assert.equal(healthy.json<{ ok: boolean }>().ok, true);
    assert.ok(!healthy.body.includes(h.keysDir));
    h.health.ok = false;
    try {
      const sick = await h.app.inject({ url: '/healthz' });
      assert.equal(sick.statusCode, 503);
      assert.deepEqual(sick.json<{ broker: unknown }>().broker, { mode: 'embedded', url: 'mqtt://127.0.0.1:1883', connected: false });
    } finally {
      h.health.ok = true;
    }
  });

  it('serves the root public key without a token (hex, PEM, JWK, SHA-256 fingerprint) and the signing key certificate', async () => {
    const response = await h.app.inject({ url: '/api/keys/root' });
    assert.equal(response.statusCode, 200);
    const body = response.json<RootKeyReply>();
    const root = readRootPublicKey(h.keysDir);
    const raw = rawPublicKey(root);
    assert.equal(body.publicKeyHex, Buffer.from(raw).toString('hex'));
    assert.equal(body.kid, toHex(kidOf(raw)));
    assert.equal(body.algorithm, 'Ed25519');
    assert.equal(body.publicKeyPem, readFileSync(join(h.keysDir, 'root.pub.pem'), 'utf8'));
    assert.deepEqual(body.jwk, { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url'), kid: body.kid });
    // The fingerprint openssl gives: SHA-256 over the DER SubjectPublicKeyInfo.
    const der = execFileSync('openssl', ['pkey', '-pubin', '-in', join(h.keysDir, 'root.pub.pem'), '-outform', 'DER']);
    assert.equal(body.fingerprintSha256, createHash('sha256').update(der).digest('hex'));
    const signing = readKeyring(h.keysDir).signingKeys![0]!;
    assert.equal(body.signingKey?.kid, signing.kid);
    assert.equal(body.signingKey?.notAfter, signing.notAfter.replace(/\.\d{3}Z$/, '.000Z'));
    const certificate = openSigningCertificate(new Uint8Array(Buffer.from(body.signingKey!.certificate, 'base64')), root);
    assert.equal(toHex(certificate.publicKey), body.signingKey?.publicKeyHex);
    assert.deepEqual(certificate.types, body.signingKey?.types);
  });

  it('serves the registry as Prometheus text', async () => {
    h.metrics.decisions.inc({ decision: 'reject', reason: 'expired' }, 3);
    const response = await h.app.inject({ url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(response.body, /^faregate_taps_total\{decision="reject",reason="expired"\} 3$/m);
    assert.match(response.body, /^# TYPE faregate_ingest_records_total counter$/m);
  });

  it('publishes an OpenAPI document of every route, with the operator routes marked as needing a token', async () => {
    const response = await h.app.inject({ url: '/docs/json' });
    assert.equal(response.statusCode, 200);
    const doc = response.json<OpenApi>();
    assert.match(doc.openapi, /^3\./);
    assert.equal(doc.components.securitySchemes.bearerAuth?.scheme, 'bearer');
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    const expected = [
      'GET /healthz',
      'GET /metrics',
      'GET /asyncapi.json',
      'GET /asyncapi',
      'POST /api/devices',
      'GET /api/conflicts',
      'GET /api/devices',
      'GET /api/devices/{id}',
      'DELETE /api/devices/{id}',
      'POST /api/devices/{id}/commands',
      'GET /api/taps',
      'GET /api/gaps',
      'GET /api/losses',
      'POST /api/deny',
      'POST /api/clock/reset',
      'GET /api/clock',
      'POST /api/tickets',
      'POST /api/enrolments',
      'GET /api/tickets/{id}',
      'GET /api/tickets/{id}/qr.png',
      'GET /api/tickets/{id}/qr.svg',
      'GET /api/tokens',
      'POST /api/tokens',
      'DELETE /api/tokens/{id}',
      'GET /api/settlement',
      'GET /api/accounts/{account}/journeys',
      'GET /api/flags',
      'GET /api/keys/root',
    ];
    assert.deepEqual([...routes].sort(), [...expected].sort());
    for (const [path, methods] of Object.entries(doc.paths)) {
      const secured = path.startsWith('/api/') && !path.includes('/qr.') && path !== '/api/keys/root';
      for (const operation of Object.values(methods)) assert.equal(operation.security !== undefined, secured, path);
    }
  });

  it('serves the Swagger UI at /docs', async () => {
    const response = await h.app.inject({ url: '/docs' });
    const page = response.statusCode === 302 ? await h.app.inject({ url: String(response.headers.location) }) : response;
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /swagger-ui/i);
  });

  it('serves the dashboard as one self-contained HTML page whose CSP allows only its own inline code', async () => {
    const response = await h.app.inject({ url: '/' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.ok(!/\b(src|href)="(https?:)?\/\//.test(response.body), 'no external resources');
    const csp = String(response.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.ok(!csp.includes('unsafe-inline'));
    const script = /<script>([\s\S]*?)<\/script>/.exec(response.body)?.[1] ?? '';
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(script).digest('base64')}'`));
  });

  it("tells the operator the exact token command for this gateway's ledger, escaped as HTML", async () => {
    const response = await h.app.inject({ url: '/' });
    const escaped = TOKEN_CREATE_COMMAND.replaceAll("'", '&#39;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
    assert.ok(response.body.includes(`<code>${escaped}</code>`), 'the login hint names --data-dir');
    assert.ok(!response.body.includes('{{'), 'no placeholder left');
  });
});

describe('public rate limit', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
  });
  after(() => h.close());

  it('answers 429 once a client exceeds the limit, per IP', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await h.app.inject({ url: '/healthz' })).statusCode, 200);
    const limited = await h.app.inject({ url: '/healthz' });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json<{ error: string }>().error, 'Too Many Requests');
    assert.ok(limited.headers['retry-after']);
    assert.equal((await h.app.inject({ url: '/healthz', remoteAddress: '10.0.0.2' })).statusCode, 200);
  });

  it('limits the QR images and the docs too, but not the operator API', async () => {
    const qr = async () => (await h.app.inject({ url: '/api/tickets/00112233445566778899aabb/qr.png', remoteAddress: '10.0.0.3' })).statusCode;
    assert.deepEqual([await qr(), await qr(), await qr(), await qr()], [401, 401, 401, 429]);
    const docs = async () => (await h.app.inject({ url: '/docs/json', remoteAddress: '10.0.0.4' })).statusCode;
    assert.deepEqual([await docs(), await docs(), await docs(), await docs()], [200, 200, 200, 429]);
    for (let i = 0; i < 10; i++) assert.equal((await h.operator({ url: '/api/gaps' })).statusCode, 200);
  });
});
