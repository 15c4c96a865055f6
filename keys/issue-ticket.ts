/**
 * Issuing a level-1 ticket from an operator's request: validation with field
 * names in every error, a random 12-byte ticket id, and the signature of the
 * current issuer key. Shared by the keys CLI and the gateway's issuing API.
 */
import { randomBytes } from 'node:crypto';
import {
  FARE_CLASSES,
  MODES,
  PRODUCTS,
  type FareClass,
  type Mode,
  type Product,
  type TicketClaims,
} from '../protocol/ticket/claims.ts';
import { DEFAULT_MAX_LIFETIME_SECONDS, type ProductLifetimes } from '../protocol/bundles/check-settings.ts';
import type { SigningKey } from '../protocol/ticket/ed25519.ts';
import { signTicket, ticketText } from '../protocol/ticket/ticket-code.ts';

export interface TicketRequest {
  product: string;
  fareClass?: string;
  zones?: number[];
  modes?: string[];
  /** Unix seconds. */
  validFrom: number;
  validUntil: number;
  /** Raw 32-byte holder public key: the ticket then only works as a rotating code. */
  holderKey?: Uint8Array;
  operator?: string;
}

export interface IssuedTicket {
  claims: TicketClaims;
  bytes: Uint8Array;
  text: string;
  ticketId: string;
}

export class TicketRequestError extends Error {}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new TicketRequestError(message);
}

/** Validates a request; a ticket longer than its product's maximum lifetime is refused here, not at the gate. */
export function validateTicketRequest(request: TicketRequest, lifetimes: ProductLifetimes = DEFAULT_MAX_LIFETIME_SECONDS): TicketClaims {
  check((PRODUCTS as readonly string[]).includes(request.product), `product: must be one of ${PRODUCTS.join(', ')}`);
  const fareClass = request.fareClass ?? 'adult';
  check((FARE_CLASSES as readonly string[]).includes(fareClass), `class: must be one of ${FARE_CLASSES.join(', ')}`);
  check(Number.isSafeInteger(request.validFrom) && request.validFrom >= 0, 'from: must be a valid time');
  check(Number.isSafeInteger(request.validUntil), 'until: must be a valid time');
  check(request.validUntil > request.validFrom, 'until: must be after from');
  const lifetime = lifetimes[request.product as Product];
  check(
    request.validUntil - request.validFrom <= lifetime,
    `until: a ${request.product} ticket is valid at most ${lifetime / 3600} hours (from..until is ${((request.validUntil - request.validFrom) / 3600).toFixed(1)})`,
  );
  const claims: TicketClaims = {
    nbf: request.validFrom,
    exp: request.validUntil,
    cti: new Uint8Array(0),
    prd: request.product as Product,
    cls: fareClass as FareClass,
  };
  if (request.zones !== undefined) {
    check(request.zones.length > 0 && request.zones.length <= 64, 'zones: give 1 to 64 zones');
    for (const zone of request.zones) check(Number.isSafeInteger(zone) && zone >= 0, `zones: ${zone} is not a zone number`);
    claims.zon = [...new Set(request.zones)];
  }
  if (request.modes !== undefined) {
    check(request.modes.length > 0, 'modes: give at least one mode');
    for (const mode of request.modes) {
      check((MODES as readonly string[]).includes(mode), `modes: ${mode} is not one of ${MODES.join(', ')}`);
    }
    claims.mod = [...new Set(request.modes)] as Mode[];
  }
  if (request.holderKey !== undefined) {
    check(request.holderKey.length === 32, 'holder key: must be a 32-byte Ed25519 public key');
    claims.holderKey = request.holderKey;
  }
  if (request.operator !== undefined) claims.iss = request.operator;
  return claims;
}

/** Signs the request with `issuer`; `now` (Unix seconds) becomes `iat`, which the key's window must cover. */
export function issueTicket(request: TicketRequest, issuer: SigningKey, now: number): IssuedTicket {
  const claims = validateTicketRequest(request);
  claims.cti = new Uint8Array(randomBytes(12));
  claims.iat = Math.floor(now);
  const bytes = signTicket(claims, issuer);
  return { claims, bytes, text: ticketText(bytes), ticketId: Buffer.from(claims.cti).toString('hex') };
}
