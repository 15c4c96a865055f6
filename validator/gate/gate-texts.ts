/**
 * What riders read on the gate's display: plain words, never reason codes, each line at most
 * 16 columns (the usual 16x2 character LCD) so nothing is cut off mid-word.
 */
import type { RejectReason } from '../../protocol/ticket/reasons.ts';

export const DISPLAY_COLUMNS = 16;

export interface DisplayText {
  readonly line1: string;
  readonly line2: string;
}

const text = (line1: string, line2 = ''): DisplayText => ({ line1, line2 });

export const READY_TEXT = text('Scan your ticket');
export const GO_TEXT = text('Go');
export const EMERGENCY_TEXT = text('Emergency', 'Free passage');
export const OUT_OF_SERVICE_TEXT = text('Out of service', 'Use another gate');

/**
 * One text per reject reason of ticket-format.md. Riders cannot act on crypto details, so the
 * trust failures share one text and send them to staff; the ones a rider can fix say how.
 */
export const REJECT_TEXTS: Readonly<Record<RejectReason, DisplayText>> = {
  malformed: text('Code not valid', 'Try again'),
  unknown_key: text('Ticket not valid', 'Ask staff'),
  bad_signature: text('Ticket not valid', 'Ask staff'),
  key_not_valid: text('Ticket not valid', 'Ask staff'),
  revoked: text('Ticket blocked', 'Ask staff'),
  clock_untrusted: text('Gate not ready', 'Use another gate'),
  not_yet_valid: text('Not valid yet', 'Check the date'),
  expired: text('Ticket expired', 'Buy a new ticket'),
  holder_proof_required: text('Show app code', 'Not a screenshot'),
  code_expired: text('Code out of date', 'Refresh the app'),
  wrong_zone: text('Wrong zone', 'Not valid here'),
  wrong_mode: text('Wrong transport', 'Not valid here'),
  passback: text('Already used', 'Ask staff'),
};

/** Shown for a reason this build does not know (a newer checker): still a clear refusal. */
export const UNKNOWN_REJECT_TEXT = text('Not accepted', 'Ask staff');

export function rejectText(reason: string): DisplayText {
  return Object.hasOwn(REJECT_TEXTS, reason) ? REJECT_TEXTS[reason as RejectReason] : UNKNOWN_REJECT_TEXT;
}
