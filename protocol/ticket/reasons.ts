/** The reject reasons of ticket-format.md, in the order they are checked. */
export const REJECT_REASONS = [
  'malformed',
  'unknown_key',
  'bad_signature',
  'key_not_valid',
  'revoked',
  'clock_untrusted',
  'not_yet_valid',
  'expired',
  'holder_proof_required',
  'code_expired',
  'wrong_zone',
  'wrong_mode',
  'passback',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];
