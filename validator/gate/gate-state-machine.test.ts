import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL_GATE_STATE, type GateInput, type GateState } from './gate-state.ts';
import { gateView } from './gate-view.ts';
import { HOLD, PASSAGE, PULSE, accept, event, journalOf, notUsed, passed, reject, run, timer } from './gate-test-support.ts';

const OUT_OF_SERVICE: GateState = run([{ type: 'out-of-service', active: true }]).state;

describe('gate state machine: accept and passage', () => {
  it('pulses the relay, lights green and shows Go on an accept', () => {
    const { effects, view } = run([accept(1)]);
    assert.deepEqual(view, { ...view, relay: true, greenLight: true, redLight: false, text: { line1: 'Go', line2: '' } });
    assert.ok(effects.some((e) => e.type === 'start-timer' && e.timer === 'relay-pulse' && e.ms === 200));
    assert.ok(effects.some((e) => e.type === 'start-timer' && e.timer === 'grant:1' && e.ms === 5000));
  });

  it('ends the unlock pulse after its length but keeps waiting for the rider, in pulse mode', () => {
    const after = run([accept(1), timer('relay-pulse')]);
    assert.equal(after.view.relay, false);
    assert.equal(after.name, 'unlocked');
    assert.equal(after.view.greenLight, true);
  });

  it('holds the relay until the passage in hold mode, then relocks', () => {
    const waiting = run([accept(1), timer('relay-pulse')], INITIAL_GATE_STATE, HOLD);
    assert.equal(waiting.view.relay, true);
    const through = run([PASSAGE], waiting.state, HOLD);
    assert.equal(through.view.relay, false);
    assert.deepEqual(journalOf(through.effects), [passed(1)]);
  });

  it('keeps the relay on for the minimum pulse when the passage comes first, in hold mode', () => {
    const early = run([accept(1), PASSAGE], INITIAL_GATE_STATE, HOLD);
    assert.equal(early.name, 'closed');
    assert.equal(early.view.relay, true);
    assert.equal(run([timer('relay-pulse')], early.state, HOLD).view.relay, false);
  });

  it('adds up grants for riders who tap before the previous one passed, and matches passages in order', () => {
    const after = run([accept(1), accept(2), PASSAGE]);
    assert.equal(after.name, 'unlocked');
    const done = run([PASSAGE], after.state);
    assert.equal(done.name, 'closed');
    assert.deepEqual(journalOf([...after.effects, ...done.effects]), [passed(1), passed(2)]);
  });

  it('gives every grant its own timeout, which a later accept does not restart', () => {
    const first = run([accept(1)]);
    const second = run([accept(2)], first.state);
    const starts = [...first.effects, ...second.effects].filter((e) => e.type === 'start-timer' && e.timer.startsWith('grant:'));
    assert.deepEqual(starts, [
      { type: 'start-timer', timer: 'grant:1', ms: 5000 },
      { type: 'start-timer', timer: 'grant:2', ms: 5000 },
    ]);
  });

  it('expires an unused grant alone: that tap is not used, the next rider still passes on their own', () => {
    const expired = run([accept(1), accept(2), timer('relay-pulse'), timer('grant:1')]);
    assert.deepEqual(journalOf(expired.effects), [notUsed(1)]);
    assert.equal(expired.name, 'unlocked');
    assert.deepEqual(journalOf(run([PASSAGE], expired.state).effects), [passed(2)]);
  });

  it('relocks when the last grant expires, in hold mode', () => {
    const after = run([accept(1), timer('relay-pulse'), timer('grant:1')], INITIAL_GATE_STATE, HOLD);
    assert.equal(after.name, 'closed');
    assert.equal(after.view.relay, false);
    assert.equal(after.view.greenLight, false);
    assert.deepEqual(journalOf(after.effects), [notUsed(1)]);
  });

  it('credits a passage to the oldest live grant and cancels that grant\'s timer', () => {
    const { effects, state } = run([accept(1), accept(2), timer('grant:1'), PASSAGE]);
    assert.deepEqual(journalOf(effects), [notUsed(1), passed(2)]);
    assert.ok(effects.some((e) => e.type === 'cancel-timer' && e.timer === 'grant:2'));
    assert.deepEqual(journalOf(run([timer('grant:2')], state).effects), [], 'a late timer of a used grant changes nothing');
  });

  it('alarms for a rider walking through behind an expired grant instead of letting them use it', () => {
    const after = run([accept(1), accept(2), PASSAGE, timer('grant:2'), timer('tailgate-window'), PASSAGE]);
    assert.deepEqual(journalOf(after.effects), [passed(1), notUsed(2), event('forced-passage', 'no grant')]);
    assert.equal(after.view.buzzer, true);
    assert.equal(after.view.redLight, true);
  });
});

describe('gate state machine: rejects', () => {
  it('keeps the relay released when the ticket is expired, and says so in plain words', () => {
    const { effects, view } = run([reject('expired')]);
    assert.ok(!effects.some((e) => e.type === 'output' && e.output === 'relay'));
    assert.deepEqual(view, {
      relay: false,
      greenLight: false,
      redLight: true,
      buzzer: true,
      text: { line1: 'Ticket expired', line2: 'Buy a new ticket' },
    });
  });

  it('returns to the ready text and dark lights once the feedback and buzzer times end', () => {
    const after = run([reject('passback'), timer('buzzer'), timer('feedback')]);
    assert.deepEqual(after.view, gateView(INITIAL_GATE_STATE, PULSE));
  });

  it('leaves the lane open for the granted rider when another rider is rejected meanwhile', () => {
    const after = run([accept(1), reject('revoked')]);
    assert.equal(after.view.relay, true);
    assert.equal(after.name, 'unlocked');
    assert.deepEqual(journalOf(run([PASSAGE], after.state).effects), [passed(1)]);
  });

  it('shows a generic refusal for a reason it does not know', () => {
    assert.deepEqual(run([reject('from_the_future')]).view.text, { line1: 'Not accepted', line2: 'Ask staff' });
  });
});

describe('gate state machine: alarms', () => {
  it('raises a forced-passage alarm with the buzzer and the red light for a passage without a grant', () => {
    const { effects, view } = run([PASSAGE]);
    assert.deepEqual(journalOf(effects), [event('forced-passage', 'no grant')]);
    assert.equal(view.buzzer, true);
    assert.equal(view.redLight, true);
    assert.ok(effects.some((e) => e.type === 'start-timer' && e.timer === 'alarm' && e.ms === 2000));
    assert.deepEqual(run([timer('alarm')], run([PASSAGE]).state).view, gateView(INITIAL_GATE_STATE, PULSE));
  });

  it('keeps the alarm sounding through a reject\'s short buzz', () => {
    const after = run([PASSAGE, reject('expired'), timer('buzzer')]);
    assert.equal(after.view.buzzer, true);
    assert.equal(after.view.redLight, true);
  });

  it('calls a second passage right after a granted one tailgating, and a later one forced', () => {
    const after = run([accept(1), PASSAGE, PASSAGE]);
    assert.deepEqual(journalOf(after.effects), [passed(1), event('tailgating')]);
    const later = run([timer('tailgate-window'), PASSAGE], after.state);
    assert.deepEqual(journalOf(later.effects), [event('forced-passage', 'no grant')]);
  });
});

describe('gate state machine: out of service', () => {
  it('refuses an accepted tap with the out-of-service text and marks it not used', () => {
    const after = run([accept(4)], OUT_OF_SERVICE);
    assert.equal(after.view.relay, false);
    assert.deepEqual(after.view.text, { line1: 'Out of service', line2: 'Use another gate' });
    assert.equal(after.view.redLight, true);
    assert.deepEqual(journalOf(after.effects), [notUsed(4)]);
  });

  it('lets a rider already granted pass before going out of service', () => {
    const granted = run([accept(1), { type: 'out-of-service', active: true }]);
    assert.equal(granted.name, 'unlocked');
    assert.equal(granted.view.relay, true);
    const refused = run([accept(2)], granted.state);
    assert.deepEqual(journalOf(refused.effects), [notUsed(2)]);
    const through = run([PASSAGE], refused.state);
    assert.equal(through.name, 'out-of-service');
    assert.deepEqual(journalOf(through.effects), [passed(1)]);
  });
});

describe('gate state machine: emergency', () => {
  const ON: GateInput = { type: 'emergency', active: true };
  const OFF: GateInput = { type: 'emergency', active: false };

  it('releases the lane and shows free passage, overriding out of service', () => {
    const after = run([{ type: 'out-of-service', active: true }, ON]);
    assert.deepEqual(after.view, {
      relay: true,
      greenLight: true,
      redLight: false,
      buzzer: false,
      text: { line1: 'Emergency', line2: 'Free passage' },
    });
    assert.equal(run([OFF], after.state).name, 'out-of-service');
  });

  it('stays latched through taps, passages, timeouts and commands until the input clears', () => {
    const inputs: GateInput[] = [accept(1), reject('expired'), PASSAGE, PASSAGE, timer('grant:1')];
    inputs.push({ type: 'out-of-service', active: true }, { type: 'out-of-service', active: false });
    const after = run([ON, ...inputs]);
    assert.equal(after.name, 'emergency');
    assert.equal(after.view.relay, true);
  });

  it('greets an accepted rider with Go and still records whether they passed', () => {
    const after = run([ON, accept(3)]);
    assert.deepEqual(after.view.text, { line1: 'Go', line2: '' });
    assert.ok(!after.effects.some((e) => e.type === 'start-timer' && e.timer === 'relay-pulse'));
    assert.deepEqual(journalOf(run([PASSAGE], after.state).effects), [passed(3)]);
  });

  it('does not alarm on passages or a forced door during free passage', () => {
    const after = run([ON, PASSAGE, { type: 'door-forced' }]);
    assert.deepEqual(journalOf(after.effects), [event('emergency-on')]);
    assert.equal(after.view.buzzer, false);
  });

  it('pulses the relay again on clearing for a rider granted during the emergency', () => {
    const after = run([ON, accept(3), OFF]);
    assert.equal(after.name, 'unlocked');
    assert.equal(after.view.relay, true);
    assert.ok(after.effects.some((e) => e.type === 'start-timer' && e.timer === 'relay-pulse'));
  });
});
