/**
 * The journal records the gates sent (taps, passages, gate events), paged with
 * the ledger's cursor, and the sequence gaps reconciliation still waits for.
 */
import type { FastifyInstance } from 'fastify';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { LedgerInputError } from '../ledger/ingest-plan.ts';
import type { TapQuery } from '../ledger/ledger.ts';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { HttpError } from './api-errors.ts';
import { deviceIdSchema, isoTime, isoToMs, OPERATOR_SECURITY, operatorErrors, safeUintSchema, ticketIdSchema } from './api-schemas.ts';

export const DEFAULT_TAP_LIMIT = 100;
export const MAX_TAP_LIMIT = 10_000;

interface TapsQuery {
  device?: string;
  station?: string;
  ticketId?: string;
  kind?: JournalRecord['kind'];
  from?: string;
  until?: string;
  afterSeq?: number;
  cursor?: string;
  limit: number;
}

const tapsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    device: deviceIdSchema,
    station: { type: 'string', minLength: 1, maxLength: 64 },
    ticketId: ticketIdSchema,
    kind: { type: 'string', enum: ['tap', 'passage', 'event'] },
    from: { ...isoTime, description: 'gate time, inclusive: an ISO 8601 time with a zone' },
    until: { ...isoTime, description: 'gate time, exclusive: an ISO 8601 time with a zone' },
    afterSeq: { ...safeUintSchema, description: 'only records with a larger seq; needs device' },
    cursor: { type: 'string', minLength: 1, maxLength: 512, description: 'nextCursor of the previous page of the same query' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_TAP_LIMIT, default: DEFAULT_TAP_LIMIT },
  },
} as const;

const tapPage = {
  type: 'object',
  required: ['records', 'nextCursor'],
  properties: {
    // Records are a union (tap, passage, event) passed through as the ledger holds them.
    records: { type: 'array', items: { type: 'object', additionalProperties: true } },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

const gapList = {
  type: 'object',
  required: ['gaps'],
  properties: {
    gaps: {
      type: 'array',
      items: {
        type: 'object',
        required: ['device', 'fromSeq', 'toSeq'],
        properties: { device: { type: 'string' }, fromSeq: { type: 'integer' }, toSeq: { type: 'integer' } },
      },
    },
  },
} as const;

function toTapQuery(query: TapsQuery): TapQuery {
  const { from, until, ticketId, ...rest } = query;
  return {
    ...rest,
    // The ledger keeps ticket ids in lower-case hex, as gates record them.
    ...(ticketId !== undefined && { ticketId: ticketId.toLowerCase() }),
    ...(from !== undefined && { from: isoToMs(from) }),
    ...(until !== undefined && { until: isoToMs(until) }),
  };
}

/** Registered inside the operator (authenticated) context, under /api. */
export async function tapRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  const tags = ['taps'];
  app.get<{ Querystring: TapsQuery }>(
    '/taps',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Journal records matching every given filter',
        description: 'With device, in seq order (what clearing replays); otherwise in gate-time order. Times in records are Unix ms.',
        security: OPERATOR_SECURITY,
        querystring: tapsQuery,
        response: { 200: tapPage, ...operatorErrors },
      },
    },
    async (request) => {
      try {
        return await ctx.ledger.taps(toTapQuery(request.query));
      } catch (error) {
        // The ledger names the query field it refuses (afterSeq without device, a foreign cursor).
        if (error instanceof LedgerInputError) throw new HttpError(400, `query/${error.message.replace(': ', ' ')}`);
        throw error;
      }
    },
  );

  app.get<{ Querystring: { device?: string } }>(
    '/gaps',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Missing sequence ranges per device (inclusive), still to be delivered',
        security: OPERATOR_SECURITY,
        querystring: { type: 'object', additionalProperties: false, properties: { device: deviceIdSchema } },
        response: { 200: gapList, ...operatorErrors },
      },
    },
    async (request) => ({ gaps: await ctx.ledger.gaps(request.query.device) }),
  );
}
