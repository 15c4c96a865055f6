/**
 * Why a scanned text could not be decoded, said two ways: a short detail for the
 * `malformed` decision (`Base45: invalid character "g" at position 4`, `claims: exp
 * missing`) and a sentence for a person at a command line. Built only on the error path.
 */
import { Base45Error } from './base45.ts';
import { MalformedError } from './cose-sign1.ts';
import { CODE_PREFIX, TICKET_PREFIX } from './ticket-code.ts';

/** The layer that failed and what was wrong with it. */
export function malformedDetail(error: unknown): string {
  if (error instanceof Base45Error) return `Base45: ${error.message}`;
  if (error instanceof MalformedError) return `${error.part}: ${error.message}`;
  return `unexpected: ${error instanceof Error ? error.message : String(error)}`;
}

const WHAT_LAYER_MEANS: Record<string, string> = {
  text: `a ticket text starts with ${TICKET_PREFIX} and a rider's rotating code with ${CODE_PREFIX}`,
  Base45: `after the ${TICKET_PREFIX} or ${CODE_PREFIX} prefix come only Base45 characters (0-9, upper-case A-Z, space and $ % * + - . / :), exactly as issued — was the text retyped, lower-cased or cut short?`,
  COSE: 'the characters decode, but not to a signed Faregate ticket: the text is damaged or from another system',
  claims: 'the signed envelope is intact but its claims are not those of a Faregate ticket',
  code: "the rotating code's own content is invalid",
};

/** One sentence for a person: what is wrong with the text they gave, in their terms, then the detail. */
export function explainDecodeFailure(error: unknown): string {
  const detail = malformedDetail(error);
  const layer = detail.slice(0, detail.indexOf(':'));
  const meaning = WHAT_LAYER_MEANS[layer];
  return meaning === undefined ? `cannot be decoded (${detail})` : `cannot be decoded: ${meaning} (${detail})`;
}
