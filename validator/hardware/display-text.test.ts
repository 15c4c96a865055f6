import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitDisplayLine, fitDisplayRows } from './display-text.ts';

describe('display text fitting', () => {
  it('pads and truncates to the width', () => {
    assert.equal(fitDisplayLine('Go', 4), 'Go  ');
    assert.equal(fitDisplayLine('Please wait', 6), 'Please');
  });

  it('drops accents and replaces what the LCD cannot draw', () => {
    assert.equal(fitDisplayLine('Zürich Genève', 13), 'Zurich Geneve');
    assert.equal(fitDisplayLine('€5 ~ \\ 🚇', 9), '?5 ? ? ? ');
    assert.equal(fitDisplayLine('a\tb\nc', 5), 'a b c');
  });

  it('fills every row, blank below the given lines', () => {
    assert.deepEqual(fitDisplayRows(['One'], 3, 3), ['One', '   ', '   ']);
  });
});
