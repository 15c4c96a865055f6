import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REJECT_REASONS } from '../../protocol/ticket/reasons.ts';
import {
  DISPLAY_COLUMNS,
  EMERGENCY_TEXT,
  GO_TEXT,
  OUT_OF_SERVICE_TEXT,
  READY_TEXT,
  REJECT_TEXTS,
  UNKNOWN_REJECT_TEXT,
  rejectText,
  type DisplayText,
} from './gate-texts.ts';

const fits = (text: DisplayText): boolean =>
  [text.line1, text.line2].every((line) => line.length <= DISPLAY_COLUMNS && /^[\x20-\x7d]*$/.test(line));

describe('gate texts', () => {
  it('has a plain-words text for every reject reason of the spec', () => {
    for (const reason of REJECT_REASONS) {
      const text = rejectText(reason);
      assert.notEqual(text, UNKNOWN_REJECT_TEXT, reason);
      assert.ok(!text.line1.includes('_'), `${reason} shows a reason code: ${text.line1}`);
    }
  });

  it('fits every text to a 16-column display in plain ASCII', () => {
    const all = [...Object.values(REJECT_TEXTS), UNKNOWN_REJECT_TEXT, READY_TEXT, GO_TEXT, EMERGENCY_TEXT];
    for (const text of [...all, OUT_OF_SERVICE_TEXT]) assert.ok(fits(text), JSON.stringify(text));
  });

  it('does not take inherited object keys for reasons', () => {
    assert.equal(rejectText('toString'), UNKNOWN_REJECT_TEXT);
  });
});
