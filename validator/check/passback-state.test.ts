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
