import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PassbackState } from './passback-state.ts';

const T = 1_767_225_600;

describe('PassbackState', () => {
  test('never blocks a ticket it has not seen enter', () => {
    assert.equal(new PassbackState().blocks('aa', 'central', T, 600), false);
  });

  test('blocks a single ticket at every station and at any later time once it entered', () => {
    const state = new PassbackState();
    state.recordEntry('aa', 'single', 'central', T);
    assert.equal(state.blocks('aa', 'central', T, 600), true);
    assert.equal(state.blocks('aa', 'harbour', T + 86_400 * 30, 600), true);
  });

  test('blocks another product only at the same station, before the window ends', () => {
    const state = new PassbackState();
    state.recordEntry('bb', 'day', 'central', T);
    assert.equal(state.blocks('bb', 'central', T + 599, 600), true);
    assert.equal(state.blocks('bb', 'central', T + 600, 600), false);
    assert.equal(state.blocks('bb', 'harbour', T + 1, 600), false);
  });

  test('remembers the latest entry of a ticket', () => {
    const state = new PassbackState();
    state.recordEntry('cc', 'period', 'central', T);
    state.recordEntry('cc', 'period', 'harbour', T + 60);
    assert.equal(state.blocks('cc', 'central', T + 61, 600), false);
    assert.equal(state.blocks('cc', 'harbour', T + 61, 600), true);
  });

  test('is bounded: past its capacity the oldest entries are forgotten first', () => {
    const state = new PassbackState(3);
    for (const id of ['1', '2', '3', '4']) state.recordEntry(id, 'single', 'central', T);
    assert.equal(state.size, 3);
    assert.equal(state.blocks('1', 'central', T, 600), false);
    assert.equal(state.blocks('4', 'central', T, 600), true);
  });
});

describe('PassbackState merging entries from peers and the journal', () => {
  test('a merged single entry blocks the ticket here as if it had entered here', () => {
    const state = new PassbackState();
    state.merge({ key: 'aa', station: 'central', enteredAt: T, single: true });
    assert.equal(state.blocks('aa', 'central', T + 1, 600), true);
  });

  test('a merged entry of another product blocks only within the passback time', () => {
    const state = new PassbackState();
    state.merge({ key: 'bb', station: 'central', enteredAt: T, single: false });
    assert.equal(state.blocks('bb', 'central', T + 599, 600), true);
    assert.equal(state.blocks('bb', 'central', T + 600, 600), false);
  });

  test('an older merged entry neither moves the latest entry back nor forgets that a ticket is single', () => {
    const state = new PassbackState();
    state.recordEntry('cc', 'period', 'harbour', T + 100);
    state.merge({ key: 'cc', station: 'central', enteredAt: T, single: false });
    assert.equal(state.blocks('cc', 'harbour', T + 101, 600), true);
    assert.equal(state.blocks('cc', 'central', T + 101, 600), false);
    state.merge({ key: 'dd', station: 'central', enteredAt: T + 10, single: true });
    state.merge({ key: 'dd', station: 'central', enteredAt: T + 20, single: false });
    assert.equal(state.blocks('dd', 'harbour', T + 10_000, 600), true);
  });

  test('files tickets under the derived key and tells its listener about local entries only', () => {
    const seen: string[] = [];
    const state = new PassbackState(10, (ticketId) => `k-${ticketId}`);
    state.onEntry((entry) => seen.push(`${entry.key} ${entry.station} ${entry.enteredAt} ${entry.single}`));
    state.recordEntry('ee', 'single', 'central', T);
    state.merge({ key: 'k-ff', station: 'central', enteredAt: T, single: true });
    assert.deepEqual(seen, [`k-ee central ${T} true`]);
    assert.equal(state.blocks('ff', 'central', T + 1, 600), true, 'a merged key matches the ticket it was derived from');
  });
});
