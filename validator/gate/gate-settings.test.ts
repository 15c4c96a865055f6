import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_GATE_SETTINGS, GateSettingsError, resolveGateSettings } from './gate-settings.ts';

describe('gate settings', () => {
  it('defaults to a 200 ms pulse, a 5 s passage timeout and a fail-safe unlocked lane', () => {
    const settings = resolveGateSettings();
    assert.deepEqual(settings, DEFAULT_GATE_SETTINGS);
    assert.equal(settings.failSafe, 'unlocked');
  });

  it('refuses an unlock pulse shorter than lane controllers can see', () => {
    assert.throws(() => resolveGateSettings({ relayPulseMs: 50 }), (error: unknown) => {
      assert.ok(error instanceof GateSettingsError);
      assert.deepEqual(error.errors, ['relayPulseMs: must be at least 100 (lane controllers miss shorter pulses)']);
      return true;
    });
  });

  it('lists every problem at once, each as path: message', () => {
    assert.throws(
      () => resolveGateSettings({ feedbackMs: -1, passageTimeoutMs: 150, failSafe: 'open' as never }),
      (error: unknown) => {
        assert.ok(error instanceof GateSettingsError);
        assert.deepEqual(error.errors, [
          'feedbackMs: must be a positive integer of milliseconds',
          'passageTimeoutMs: must be longer than relayPulseMs',
          "failSafe: must be 'locked' or 'unlocked'",
        ]);
        return true;
      },
    );
  });
});
