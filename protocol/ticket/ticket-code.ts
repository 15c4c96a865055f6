/**
 * The QR texts of ticket-format.md: `FT1:` (level-1 ticket) and `FD1:` (level-2
 * rotating code signed by the holder's key). Making them and parsing them; the
 * trust decision is the validator's.
 */
import type { KeyObject } from 'node:crypto';
import { decodeBase45, encodeBase45 } from './base45.ts';
import { decodeCbor, encodeCbor, isBytes, isUint } from './cbor.ts';
import { encodeClaims, parseClaims, type TicketClaims } from './claims.ts';
import { buildCoseSign1, MalformedError, parseCoseSign1, requireExactEnvelope, type CoseSign1 } from './cose-sign1.ts';
import { signEd25519, type SigningKey } from './ed25519.ts';

export const TICKET_PREFIX = 'FT1:';
export const CODE_PREFIX = 'FD1:';
/** Anything longer is rejected before decoding (ticket-format.md: over 1 KiB of text). */
export const MAX_CODE_TEXT_LENGTH = 1024;

export interface ParsedTicket {
  /** The level-1 COSE_Sign1 bytes, as signed. */
  bytes: Uint8Array;
  cose: CoseSign1;
  claims: TicketClaims;
}

export interface ParsedHolderProof {
  cose: CoseSign1;
  /** The second at which the rider's app made the code. */
  madeAt: number;
}

export interface ParsedCode {
  level: 1 | 2;
  ticket: ParsedTicket;
  holderProof?: ParsedHolderProof;
}

export function parseTicketBytes(bytes: Uint8Array): ParsedTicket {
  const cose = parseCoseSign1(bytes);
  requireExactEnvelope(bytes, cose, 'a ticket');
  if (!cose.kid || cose.kid.length !== 8) throw new MalformedError('ticket kid must be 8 bytes');
  return { bytes, cose, claims: parseClaims(cose.payload) };
}

function parseHolderPayload(payload: Uint8Array): { ticketBytes: Uint8Array; madeAt: number } {
  let map: unknown;
  try {
    map = decodeCbor(payload);
  } catch (error) {
    throw new MalformedError(`bad CBOR: ${(error as Error).message}`, 'code');
  }
  if (!(map instanceof Map)) throw new MalformedError('payload must be a map', 'code');
  const ticketBytes: unknown = map.get(1);
  const madeAt: unknown = map.get(2);
  if (!isBytes(ticketBytes)) throw new MalformedError('must carry the ticket as a byte string', 'code');
  if (!isUint(madeAt)) throw new MalformedError('time must be an unsigned integer', 'code');
  return { ticketBytes, madeAt };
}

/** Parses a scanned text; throws MalformedError with the reason on any structural fault. */
export function parseCodeText(text: string): ParsedCode {
  if (text.length > MAX_CODE_TEXT_LENGTH) throw new MalformedError(`over ${MAX_CODE_TEXT_LENGTH} characters`, 'text');
  if (text.startsWith(TICKET_PREFIX)) {
    return { level: 1, ticket: parseTicketBytes(decodeBase45(text, TICKET_PREFIX.length)) };
  }
  if (text.startsWith(CODE_PREFIX)) {
    const codeBytes = decodeBase45(text, CODE_PREFIX.length);
    const cose = parseCoseSign1(codeBytes);
    requireExactEnvelope(codeBytes, cose, 'a rotating code');
    const { ticketBytes, madeAt } = parseHolderPayload(cose.payload);
    const ticket = parseTicketBytes(ticketBytes);
    if (!ticket.claims.holderKey) throw new MalformedError('a rotating code must wrap a ticket with cnf', 'code');
    return { level: 2, ticket, holderProof: { cose, madeAt } };
  }
  throw new MalformedError(`starts with neither ${TICKET_PREFIX} nor ${CODE_PREFIX}`, 'text');
}

/** Signs a level-1 ticket and returns its COSE_Sign1 bytes. */
export function signTicket(claims: TicketClaims, issuer: SigningKey): Uint8Array {
  return buildCoseSign1(encodeClaims(claims), issuer.kid, (tbs) => signEd25519(issuer.privateKey, tbs));
}

export function ticketText(ticketBytes: Uint8Array): string {
  return TICKET_PREFIX + encodeBase45(ticketBytes);
}

/** Extracts the level-1 COSE bytes from an `FT1:` text. */
export function ticketBytesFromText(text: string): Uint8Array {
  const trimmed = text.trim();
  if (!trimmed.startsWith(TICKET_PREFIX)) throw new MalformedError(`a ticket text starts with ${TICKET_PREFIX}`, 'text');
  return decodeBase45(trimmed, TICKET_PREFIX.length);
}

/** What a rider's app shows: the ticket wrapped with a fresh time, signed by the holder key. */
export function rotatingCodeText(ticketBytes: Uint8Array, holderPrivateKey: KeyObject, madeAt: number): string {
  const payload = encodeCbor(new Map<number, unknown>([[1, ticketBytes], [2, madeAt]]));
  const cose = buildCoseSign1(payload, undefined, (tbs) => signEd25519(holderPrivateKey, tbs));
  return CODE_PREFIX + encodeBase45(cose);
}
