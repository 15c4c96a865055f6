import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateEd25519, signingKeyFrom } from '../ticket/ed25519.ts';
import { DEFAULT_CHECK_SETTINGS, DEFAULT_MAX_LIFETIME_SECONDS } from './check-settings.ts';
import { FARES_TYPE, openFareSettings, signFareSettings } from './downlink-bundles.ts';
import { signBundle } from './signed-bundle.ts';

const root = signingKeyFrom(generateEd25519().privateKey);
const rootPublic = createPublicKey(root.privateKey);
const base = { ...DEFAULT_CHECK_SETTINGS, version: 1_764_442_234_880, issuedAt: 1_764_442_234 };
const fieldsWithout = (lifetimes: unknown): Map<string, unknown> => {
  const body = new Map<string, unknown>([
    ['skewSeconds', 5],
    ['codeWindowSeconds', 30],
    ['passbackSeconds', 600],
    ['exitGraceSeconds', 7200],
    ['unanchoredClock', 'reject'],
  ]);
  if (lifetimes !== undefined) body.set('maxLifetime', lifetimes);
  return body;
};

describe('fare settings bundles', () => {
  test('carry the maximum ticket lifetime of every product, and a millisecond version, through signing', () => {
    const settings = { ...base, maxLifetimeSeconds: { ...DEFAULT_MAX_LIFETIME_SECONDS, day: 20 * 3600 } };
    const opened = openFareSettings(signFareSettings(settings, root), rootPublic);
    assert.deepEqual(opened, settings);
  });

  test('a bundle without lifetimes (made before they existed) or missing a product gets the defaults', () => {
    const without = signBundle({ type: FARES_TYPE, version: 2, issuedAt: 0 }, fieldsWithout(undefined), root);
    assert.deepEqual(openFareSettings(without, rootPublic).maxLifetimeSeconds, DEFAULT_MAX_LIFETIME_SECONDS);
    const partial = signBundle({ type: FARES_TYPE, version: 2, issuedAt: 0 }, fieldsWithout(new Map([['single', 3600], ['future', 1]])), root);
    assert.deepEqual(openFareSettings(partial, rootPublic).maxLifetimeSeconds, { ...DEFAULT_MAX_LIFETIME_SECONDS, single: 3600 });
  });

  test('refuses lifetimes that are not a map of positive whole seconds, naming the field', () => {
    for (const [lifetimes, message] of [
      [[1, 2], /maxLifetime must be a map/],
      [new Map([['day', 0]]), /maxLifetime.day must be a positive whole number/],
      [new Map([['period', -5]]), /maxLifetime.period must be a positive/],
      [new Map([['single', '1d']]), /maxLifetime.single must be a positive/],
    ] as const) {
      const bytes = signBundle({ type: FARES_TYPE, version: 2, issuedAt: 0 }, fieldsWithout(lifetimes), root);
      assert.throws(() => openFareSettings(bytes, rootPublic), message);
    }
  });
});
