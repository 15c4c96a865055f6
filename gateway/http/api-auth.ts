/**
 * Operator authentication: `Authorization: Bearer <token>`. Tokens are random
 * 256-bit secrets shown once; the ledger keeps only their SHA-256 (a
 * high-entropy secret needs no slow hash — same reasoning as device passwords),
 * and each request looks the hash up, so a deleted token stops working at once.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashSecret, newSecret } from '../fleet/device-credentials.ts';
import type { ApiToken, Ledger } from '../ledger/ledger.ts';
import type { ErrorBody } from './api-errors.ts';
import type { ApiScope } from './api-scopes.ts';

/** A recognisable prefix, so a leaked token is easy to spot in a paste or a secret scanner. */
export const API_TOKEN_PREFIX = 'fgw_';

declare module 'fastify' {
  interface FastifyRequest {
    /** The operator's token once `requireOperator` has accepted it. */
    operator: ApiToken | null;
  }
}

export interface NewApiToken {
  /** As stored (hashed). */
  record: ApiToken;
  /** The plain token: the only time it is ever visible. */
  token: string;
}

/** Creates a named token with its scopes (api-scopes.ts). */
export async function newApiToken(ledger: Ledger, name: string, scopes: readonly ApiScope[]): Promise<NewApiToken> {
  const token = API_TOKEN_PREFIX + newSecret();
  const record: ApiToken = { id: randomUUID(), name, tokenHash: hashSecret(token), scopes: [...scopes], createdAt: Date.now() };
  await ledger.insertApiToken(record);
  return { record, token };
}

/** Creates a named token and returns the plain token. */
export async function createApiToken(ledger: Ledger, name: string, scopes: readonly ApiScope[]): Promise<string> {
  return (await newApiToken(ledger, name, scopes)).token;
}

/**
 * First start: when the ledger holds no token at all, creates an admin token named `admin`
 * and returns it so the caller can print it once (never log it). Returns
 * undefined when tokens exist. Two gateways starting together on one fresh
 * PostgreSQL ledger may both create one; each prints its own, both work.
 */
export async function bootstrapApiToken(ledger: Ledger, name = 'admin'): Promise<string | undefined> {
  if ((await ledger.listApiTokens()).length > 0) return undefined;
  return createApiToken(ledger, name, ['admin']);
}

export function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="faregate"')
    .send({ error: 'Unauthorized', message } satisfies ErrorBody);
}

export type Authentication = { token: ApiToken; problem?: undefined } | { token?: undefined; problem: string };

/** The token an Authorization header names, or why it names none. `howToGetOne` ends the problem texts. */
export async function authenticate(ledger: Ledger, header: string | undefined, howToGetOne: string): Promise<Authentication> {
  if (header === undefined || header === '') {
    return { problem: `this endpoint needs an API token: send "Authorization: Bearer <token>"; ${howToGetOne}` };
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return { problem: 'the Authorization header must be "Bearer <token>"' };
  const token = await ledger.findApiTokenByHash(hashSecret(match[1]!));
  return token ? { token } : { problem: `unknown or revoked API token; ${howToGetOne}` };
}

/** What a refused caller is told to run (token-hint.ts). */
export const howToGetToken = (tokenCreateCommand: string): string => `create one with \`${tokenCreateCommand}\``;

/**
 * An onRequest hook for every route that reads personal data or changes state;
 * each route then checks its own scope (api-scopes.ts).
 * `tokenCreateCommand` is what a refused caller is told to run (token-hint.ts).
 */
export function requireOperator(ledger: Ledger, tokenCreateCommand: string) {
  const howToGetOne = howToGetToken(tokenCreateCommand);
  // An async hook that answers early returns the reply, which tells fastify to stop there.
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const { token, problem } = await authenticate(ledger, request.headers.authorization, howToGetOne);
    if (token === undefined) return unauthorized(reply, problem);
    request.operator = token;
    return undefined;
  };
}
