import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateEd25519, signingKeyFrom } from '../ticket/ed25519.ts';
import { openClockReset, signClockReset } from './clock-reset.ts';
import { signBundle } from './signed-bundle.ts';
import { signTimeBeacon } from './downlink-bundles.ts';

const root = signingKeyFrom(generateEd25519().privateKey);
const rootPublic = createPublicKey(root.privateKey);
const RESET = { version: 3, issuedAt: 1_796_000_000, resetToMs: 1_796_000_000_123, reason: 'beacon from a gateway 400 days ahead' };

describe('clock reset command', () => {
  test('opens what the root key signed: version, reset time and reason', () => {
    assert.deepEqual(openClockReset(signClockReset(RESET, root), rootPublic), RESET);
    const { reason: _none, ...bare } = RESET;
    assert.deepEqual(openClockReset(signClockReset(bare, root), rootPublic), bare);
  });

  test('refuses one signed by another key, and a time beacon passed off as a reset', () => {
    const impostor = signingKeyFrom(generateEd25519().privateKey);
    assert.throws(() => openClockReset(signClockReset(RESET, impostor), rootPublic), /signature/);
    assert.throws(() => openClockReset(signTimeBeacon(RESET.resetToMs, root), rootPublic), /expected a faregate.clock-reset\/1/);
  });

  test('names the field when the reset time or the reason is wrong', () => {
    const header = { type: 'faregate.clock-reset/1', version: 1, issuedAt: 1 };
    assert.throws(() => openClockReset(signBundle(header, new Map([['resetTo', -5]]), root), rootPublic), /resetTo must be/);
    assert.throws(() => openClockReset(signBundle(header, new Map(), root), rootPublic), /resetTo must be/);
    const long = new Map<string, unknown>([['resetTo', 1], ['reason', 'x'.repeat(201)]]);
    assert.throws(() => openClockReset(signBundle(header, long, root), rootPublic), /reason must be text/);
  });
});
