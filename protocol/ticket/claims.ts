/**
 * The claims of a level-1 ticket (ticket-format.md): CWT integer claims plus
 * Faregate's own text claims. Parsing is strict about the known claims' types and
 * ignores unknown ones (forward compatibility).
 */
import { decodeCbor, encodeCbor, isBytes, isUint } from './cbor.ts';
import { MalformedError } from './cose-sign1.ts';

export const PRODUCTS = ['single', 'day', 'period', 'account'] as const;
export const FARE_CLASSES = ['adult', 'child', 'senior', 'concession'] as const;
export const MODES = ['metro', 'bus', 'tram', 'rail'] as const;
export type Product = (typeof PRODUCTS)[number];
export type FareClass = (typeof FARE_CLASSES)[number];
export type Mode = (typeof MODES)[number];

export interface TicketClaims {
  iss?: string;
  exp: number;
  nbf: number;
  iat?: number;
  /** Ticket id, 8 to 16 bytes. */
  cti: Uint8Array;
  /** The holder's raw Ed25519 public key when the ticket needs a level-2 code. */
  holderKey?: Uint8Array;
  prd: Product;
  cls: FareClass;
  zon?: number[];
  mod?: Mode[];
}

const CLAIM = { iss: 1, exp: 4, nbf: 5, iat: 6, cti: 7, cnf: 8 } as const;
const COSE_KEY = { kty: 1, crv: -1, x: -2 } as const;
const KTY_OKP = 1;
const CRV_ED25519 = 6;
const CNF_COSE_KEY = 1;

function fail(message: string): never {
  throw new MalformedError(message, 'claims');
}

function requireUint(value: unknown, name: string): number {
  if (value === undefined) fail(`${name} missing`);
  if (!isUint(value)) fail(`${name} must be an unsigned integer`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(`${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function parseHolderKey(cnf: unknown): Uint8Array {
  if (!(cnf instanceof Map)) fail('cnf must be a map');
  const coseKey: unknown = cnf.get(CNF_COSE_KEY);
  if (!(coseKey instanceof Map)) fail('cnf must hold a COSE_Key under 1');
  if (coseKey.get(COSE_KEY.kty) !== KTY_OKP || coseKey.get(COSE_KEY.crv) !== CRV_ED25519) {
    fail('cnf key must be OKP Ed25519');
  }
  const x: unknown = coseKey.get(COSE_KEY.x);
  if (!isBytes(x) || x.length !== 32) fail('cnf key x must be 32 bytes');
  return x;
}

function parseArray<T>(value: unknown, name: string, item: (v: unknown) => v is T): T[] {
  if (!Array.isArray(value) || value.length > 64) fail(`${name} must be an array of at most 64 items`);
  for (const entry of value) if (!item(entry)) fail(`${name} has an item of the wrong type`);
  return value as T[];
}

const isString = (v: unknown): v is string => typeof v === 'string';

export function parseClaims(payload: Uint8Array): TicketClaims {
  let map: unknown;
  try {
    map = decodeCbor(payload);
  } catch (error) {
    fail(`bad claims CBOR: ${(error as Error).message}`);
  }
  if (!(map instanceof Map)) fail('claims must be a map');
  const iss: unknown = map.get(CLAIM.iss);
  const exp: unknown = map.get(CLAIM.exp);
  const nbf: unknown = map.get(CLAIM.nbf);
  const iat: unknown = map.get(CLAIM.iat);
  const cti: unknown = map.get(CLAIM.cti);
  const cnf: unknown = map.get(CLAIM.cnf);
  if (iss !== undefined && typeof iss !== 'string') fail('iss must be a text string');
  requireUint(exp, 'exp');
  requireUint(nbf, 'nbf');
  if (iat !== undefined && !isUint(iat)) fail('iat must be an unsigned integer');
  if (cti === undefined) fail('cti (ticket id) missing');
  if (!isBytes(cti) || cti.length < 8 || cti.length > 16) fail('cti must be 8 to 16 bytes');
  const claims: TicketClaims = {
    exp: exp as number,
    nbf: nbf as number,
    cti,
    prd: oneOf(map.get('prd'), PRODUCTS, 'prd'),
    cls: map.has('cls') ? oneOf(map.get('cls'), FARE_CLASSES, 'cls') : 'adult',
  };
  if (iss !== undefined) claims.iss = iss;
  if (iat !== undefined) claims.iat = iat;
  if (cnf !== undefined) claims.holderKey = parseHolderKey(cnf);
  // Unknown modes are kept as text: they simply never match a gate's mode.
  if (map.has('zon')) claims.zon = parseArray(map.get('zon'), 'zon', isUint);
  if (map.has('mod')) claims.mod = parseArray(map.get('mod'), 'mod', isString) as Mode[];
  return claims;
}

export function encodeClaims(claims: TicketClaims): Uint8Array {
  const map = new Map<number | string, unknown>();
  if (claims.iss !== undefined) map.set(CLAIM.iss, claims.iss);
  map.set(CLAIM.exp, claims.exp);
  map.set(CLAIM.nbf, claims.nbf);
  if (claims.iat !== undefined) map.set(CLAIM.iat, claims.iat);
  map.set(CLAIM.cti, claims.cti);
  if (claims.holderKey) {
    const coseKey = new Map<number, unknown>([
      [COSE_KEY.kty, KTY_OKP],
      [COSE_KEY.crv, CRV_ED25519],
      [COSE_KEY.x, claims.holderKey],
    ]);
    map.set(CLAIM.cnf, new Map([[CNF_COSE_KEY, coseKey]]));
  }
  map.set('prd', claims.prd);
  if (claims.cls !== 'adult') map.set('cls', claims.cls);
  if (claims.zon) map.set('zon', claims.zon);
  if (claims.mod) map.set('mod', claims.mod);
  return encodeCbor(map);
}
