import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsyncApiPayloads, allRefs, resolvePointer } from '../../runtime/testing/asyncapi-payloads.ts';
import { signClockReset } from '../bundles/clock-reset.ts';
import { denyHashOfHolder, denyHashOfTicket, denyDeltaBetween, DenySet, signDenyDelta, signDenyList } from '../bundles/deny-list.ts';
import { signFareSettings, signGateCommand, signTimeBeacon } from '../bundles/downlink-bundles.ts';
import { DEFAULT_CHECK_SETTINGS } from '../bundles/check-settings.ts';
import { certifySigningKey, type BundleSigner } from '../bundles/signed-bundle.ts';
import { signTrustList } from '../bundles/trust-list.ts';
import { encodePassbackShare, passbackKey } from '../mqtt/station-passback.ts';
import { BUNDLE_KINDS, topics } from '../mqtt/topics.ts';
import { generateEd25519, kidOf, rawPublicKey, signingKeyFrom } from '../ticket/ed25519.ts';
import { buildAsyncApiDocument } from './asyncapi-document.ts';
import { bundleAsJson } from './bundle-schemas.ts';

interface Doc {
  asyncapi: string;
  info: { title: string; version: string };
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }>; parameters?: Record<string, unknown> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: Array<{ $ref: string }>; bindings: { mqtt: { qos: number; retain: boolean } } }>;
}

/** The document as a vendor reads it: JSON text, parsed. */
const doc = JSON.parse(JSON.stringify(buildAsyncApiDocument())) as Doc;
const payloads = new AsyncApiPayloads(doc);
const root = signingKeyFrom(generateEd25519().privateKey);

/** An online signing key as the gateway uses it: its root-signed certificate goes into every bundle it signs. */
function onlineSigner(): { signer: BundleSigner; certificate: Uint8Array } {
  const pair = generateEd25519();
  const raw = rawPublicKey(pair.publicKey);
  const types = ['faregate.deny/1', 'faregate.deny-delta/1', 'faregate.fares/1', 'faregate.command/1', 'faregate.time/1', 'faregate.clock-reset/1'];
  const certificate = certifySigningKey({ kid: kidOf(raw), publicKey: raw, notBefore: 1_600_000_000, notAfter: 1_900_000_000, types }, root, 1_600_000_000);
  return { signer: { ...signingKeyFrom(pair.privateKey), certificate }, certificate };
}
const conforms = (message: string, payload: unknown) => assert.equal(payloads.problems(message, payload), '', `${message}: ${JSON.stringify(payload)}`);

describe('AsyncAPI document', () => {
  it('is AsyncAPI 3.0-shaped: version, info, channels, operations', () => {
    assert.equal(doc.asyncapi, '3.0.0');
    assert.equal(doc.info.title, 'Faregate MQTT protocol');
    assert.ok(Object.keys(doc.channels).length >= 10);
    for (const [id, operation] of Object.entries(doc.operations)) {
      assert.ok(['send', 'receive'].includes(operation.action), id);
      assert.ok([0, 1].includes(operation.bindings.mqtt.qos), id);
      assert.ok(operation.channel.$ref.startsWith('#/channels/'), id);
      for (const message of operation.messages) assert.ok(message.$ref.startsWith(`${operation.channel.$ref}/messages/`), `${id} names a message of its own channel`);
    }
  });

  it('speaks AsyncAPI\'s schema dialect: a discriminator is a property name', () => {
    const discriminators = JSON.stringify(doc).match(/"discriminator":[^,}]+/g) ?? [];
    assert.ok(discriminators.length > 0);
    for (const found of discriminators) assert.equal(found, '"discriminator":"kind"');
  });

  it('has only $refs that resolve', () => {
    const refs = allRefs(doc);
    assert.ok(refs.length > 40);
    for (const { at, ref } of refs) assert.notEqual(resolvePointer(doc, ref), undefined, `${at}: ${ref}`);
  });

  it('gives every channel the address topics.ts builds, with its parameters declared', () => {
    const built: Record<string, string> = {
      taps: topics.taps('gate-1'),
      state: topics.state('gate-1'),
      ack: topics.ack('gate-1'),
      command: topics.command('gate-1'),
      'clock-reset': topics.clockReset(),
      time: topics.time(),
      'station-passback': topics.stationPassback('gate-1'),
      ...Object.fromEntries(BUNDLE_KINDS.map((kind) => [`bundle-${kind}`, topics.bundle(kind)])),
    };
    assert.deepEqual(Object.keys(doc.channels).sort(), Object.keys(built).sort());
    for (const [id, channel] of Object.entries(doc.channels)) {
      const params = [...channel.address.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
      assert.deepEqual(Object.keys(channel.parameters ?? {}), params, id);
      assert.equal(channel.address.replace(/\{\w+\}/g, 'gate-1'), built[id], id);
    }
  });

  it('sends taps and state and receives acks, commands, bundles and beacons, from the gate\'s point of view', () => {
    const actions = Object.entries(doc.operations).map(([, op]) => `${op.action} ${op.channel.$ref.split('/').at(-1)}`);
    for (const expected of ['send taps', 'send state', 'receive ack', 'receive command', 'receive bundle-trust', 'receive time', 'send station-passback', 'receive station-passback']) {
      assert.ok(actions.includes(expected), expected);
    }
    const state = Object.values(doc.operations).find((op) => op.channel.$ref === '#/channels/state');
    assert.deepEqual(state?.bindings.mqtt, { qos: 1, retain: true, bindingVersion: '0.2.0' });
  });
});

describe('AsyncAPI schemas against the payloads the code builds', () => {
  const kid = kidOf(rawPublicKey(generateEd25519().publicKey));

  it('describes every signed bundle the signers make, decoded, signed by the root or by a certified signing key', () => {
    const { signer, certificate } = onlineSigner();
    assert.equal(payloads.problemsOfSchema('SigningCertificatePayload', bundleAsJson(certificate)), '');
    for (const by of [root, signer]) describeBundlesSignedBy(by);
    assert.match(JSON.stringify(bundleAsJson(signTimeBeacon(1, signer))), /"crt":"[0-9a-f]+"/);
    const revoked = bundleAsJson(signTrustList({ version: 4, issuedAt: 1_700_000_000, issuers: [], revokedSigners: [kidOf(rawPublicKey(generateEd25519().publicKey))] }, root));
    conforms('trustList', revoked);
  });

  function describeBundlesSignedBy(signer: BundleSigner): void {
    const issuer = { kid, publicKey: rawPublicKey(generateEd25519().publicKey), notBefore: 1_700_000_000 };
    conforms('trustList', bundleAsJson(signTrustList({ version: 3, issuedAt: 1_700_000_000, issuers: [issuer, { ...issuer, notAfter: 1_800_000_000, operator: 'op' }] }, root)));
    const before = { version: 1, issuedAt: 1_700_000_000, entries: DenySet.fromUnsorted([denyHashOfTicket(kid)]) };
    const after = { version: 2, issuedAt: 1_700_000_100, entries: DenySet.fromUnsorted([denyHashOfTicket(kid), denyHashOfHolder(issuer.publicKey)]) };
    conforms('denyList', bundleAsJson(signDenyList(after, signer)));
    conforms('denyDelta', bundleAsJson(signDenyDelta(denyDeltaBetween(before, after), signer)));
    conforms('fareSettings', bundleAsJson(signFareSettings({ version: 4, issuedAt: 1_700_000_000, ...DEFAULT_CHECK_SETTINGS }, signer)));
    conforms('gateCommand', bundleAsJson(signGateCommand({ version: 1_700_000_000_123, issuedAt: 1_700_000_000, device: 'gate-1', command: 'emergency-open', reason: 'fire' }, signer)));
    conforms('gateCommand', bundleAsJson(signGateCommand({ version: 1_700_000_000_124, issuedAt: 1_700_000_000, device: 'gate-1', command: 'in-service' }, signer)));
    conforms('timeBeacon', bundleAsJson(signTimeBeacon(1_700_000_000_500, signer)));
    conforms('clockReset', bundleAsJson(signClockReset({ version: 5, issuedAt: 1_700_000_000, resetToMs: 1_700_000_000_000, reason: 'gateway clock was ahead' }, signer)));
  }

  it('describes the passback shares the station topic carries', () => {
    const key = passbackKey(new Uint8Array(32).fill(7), '00112233445566778899aabbccddeeff');
    conforms('passbackShare', JSON.parse(encodePassbackShare({ v: 1, device: 'gate-1', station: 'S1', entries: [{ key, at: 1_700_000_000, single: true }] }).toString()));
    conforms('passbackShare', JSON.parse(encodePassbackShare({ v: 1, device: 'gate-1', station: 'S1', entries: [], syncSince: 1_699_999_000 }).toString()));
  });

  it('fails a payload that drifted from the document: an unknown field, a missing one, a wrong enum', () => {
    const trust = bundleAsJson(signTrustList({ version: 1, issuedAt: 1, issuers: [] }, root)) as Record<string, unknown>;
    assert.match(payloads.problems('trustList', { ...trust, extra: 1 }), /additional properties/);
    assert.match(payloads.problems('fareSettings', { typ: 'faregate.fares/1', ver: 1, iat: 1 }), /skewSeconds/);
    assert.match(payloads.problems('batchAck', { v: 1, device: 'gate-1', ackedThrough: 3, status: 'maybe' }), /status/);
    assert.match(payloads.problems('passbackShare', { v: 1, device: 'gate-1', station: 'S1', entries: [{ key: 'ab', at: 1, single: false }] }), /key/);
  });
});
