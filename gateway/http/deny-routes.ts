/**
 * Revocation: a ticket (by id or by its FT1: text) or a holder key (every
 * ticket bound to it) goes on the deny list; the fleet sends the gates a delta
 * at once. Denying what is already denied changes nothing and says so.
 */
import type { FastifyInstance } from 'fastify';
import { denyHashOfHolder, denyHashOfTicket } from '../../protocol/bundles/deny-list.ts';
import { MAX_CODE_TEXT_LENGTH, parseTicketBytes, ticketBytesFromText } from '../../protocol/ticket/ticket-code.ts';
import type { DenyRequest } from '../../keys/keyring.ts';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { HttpError } from './api-errors.ts';
import { holderKeyBytes, holderKeySchema, OPERATOR_SECURITY, operatorErrors, ticketIdBytes, ticketIdSchema } from './api-schemas.ts';

interface DenyBody {
  ticketId?: string;
  ticket?: string;
  holderKey?: string;
  reason?: string;
}

const TARGETS = ['ticketId', 'ticket', 'holderKey'] as const;

const denyBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Exactly one of ticketId, ticket and holderKey.',
  properties: {
    ticketId: ticketIdSchema,
    ticket: {
      type: 'string',
      pattern: '^FT1:',
      maxLength: MAX_CODE_TEXT_LENGTH,
      description: 'a ticket text starting with FT1: (the whole text, spaces included)',
    },
    holderKey: holderKeySchema,
    reason: { type: 'string', minLength: 1, maxLength: 200, description: 'kept in the keys directory deny log' },
  },
} as const;

const denyReply = {
  type: 'object',
  properties: {
    version: { type: 'integer', description: 'the new deny list version' },
    alreadyDenied: { type: 'boolean' },
  },
} as const;

/** The deny entry a body names; the body has passed the schema. */
function denyRequest(body: DenyBody): DenyRequest {
  const given = TARGETS.filter((key) => body[key] !== undefined);
  if (given.length !== 1) {
    throw new HttpError(400, `body must give exactly one of ${TARGETS.join(', ')}${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`);
  }
  const reason = body.reason !== undefined ? { reason: body.reason } : {};
  if (body.holderKey !== undefined) {
    const value = holderKeyBytes(body.holderKey);
    return { kind: 'holder', value, hash: denyHashOfHolder(value), ...reason };
  }
  let value: Uint8Array;
  if (body.ticketId !== undefined) {
    value = ticketIdBytes(body.ticketId);
  } else {
    try {
      value = parseTicketBytes(ticketBytesFromText(body.ticket!)).claims.cti;
    } catch (error) {
      // Not verified on purpose: denying the id of a forged ticket is harmless.
      throw new HttpError(400, `body/ticket is not a readable ticket: ${(error as Error).message}`);
    }
  }
  return { kind: 'ticket', value, hash: denyHashOfTicket(value), ...reason };
}

/** Registered inside the operator (authenticated) context, under /api. */
export async function denyRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  app.post<{ Body: DenyBody }>(
    '/deny',
    {
      config: { scope: 'deny' },
      schema: {
        tags: ['deny list'],
        summary: 'Revoke a ticket or a holder key',
        description: 'Answers { version } with the new deny list version, or { alreadyDenied: true } when the entry was already there.',
        security: OPERATOR_SECURITY,
        body: denyBody,
        response: { 200: denyReply, ...operatorErrors },
      },
    },
    async (request) => {
      const deny = denyRequest(request.body);
      const version = await ctx.fleet.deny(deny);
      // Logs carry the hash prefix only, never the ticket id (conventions: redact ticket ids).
      const entry = deny.hash.toString(16).padStart(16, '0').slice(0, 8);
      request.log.info({ kind: deny.kind, entry, version, operator: request.operator?.name }, 'deny list entry');
      return version === undefined ? { alreadyDenied: true } : { version };
    },
  );
}
