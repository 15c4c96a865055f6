/**
 * What the gates declared lost and what the ledger refused as seq conflicts: shown
 * apart from open gaps (/api/gaps), which may still arrive. A conflict is an alarm: the
 * same (device, seq) came with other content (a replaced card with a wrong clock, two
 * processes on one state directory); both records are kept for an operator to decide.
 */
import type { FastifyInstance } from 'fastify';
import { LOSS_REASONS } from '../../protocol/uplink/tap-record.ts';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { deviceIdSchema, OPERATOR_SECURITY, operatorErrors } from './api-schemas.ts';

const deviceQuery = { type: 'object', additionalProperties: false, properties: { device: deviceIdSchema } } as const;

const lossList = {
  type: 'object',
  required: ['losses'],
  properties: {
    losses: {
      type: 'array',
      items: {
        type: 'object',
        required: ['device', 'fromSeq', 'toSeq', 'reason', 'declaredSeq', 'at'],
        properties: {
          device: { type: 'string' },
          fromSeq: { type: 'integer' },
          toSeq: { type: 'integer' },
          reason: { enum: LOSS_REASONS },
          declaredSeq: { type: 'integer', description: 'seq of the loss record that declared it' },
          at: { type: 'integer', description: 'gate time of the declaration, Unix ms' },
        },
      },
    },
  },
} as const;

const conflictList = {
  type: 'object',
  required: ['conflicts'],
  properties: {
    conflicts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['device', 'seq', 'stored', 'refused', 'receivedAt'],
        properties: {
          device: { type: 'string' },
          seq: { type: 'integer' },
          stored: { type: 'object', additionalProperties: true, description: 'the record the ledger holds (and clears)' },
          refused: { type: 'object', additionalProperties: true, description: 'the record sent later with the same seq' },
          receivedAt: { type: 'integer', description: 'Unix ms' },
        },
      },
    },
  },
} as const;

/** Registered inside the operator (authenticated) context, under /api. */
export async function integrityRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  const tags = ['taps'];
  app.get<{ Querystring: { device?: string } }>(
    '/losses',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Seq ranges the gates declared lost (crash, failed journal, lost state), apart from open gaps',
        security: OPERATOR_SECURITY,
        querystring: deviceQuery,
        response: { 200: lossList, ...operatorErrors },
      },
    },
    async (request) => ({ losses: await ctx.ledger.losses(request.query.device) }),
  );

  app.get<{ Querystring: { device?: string; limit: number } }>(
    '/conflicts',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Records refused as seq conflicts, newest first, with the record stored under the same seq',
        security: OPERATOR_SECURITY,
        querystring: { ...deviceQuery, properties: { ...deviceQuery.properties, limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 } } },
        response: { 200: conflictList, ...operatorErrors },
      },
    },
    async (request) => ({ conflicts: await ctx.ledger.conflicts({ limit: request.query.limit, ...(request.query.device !== undefined && { device: request.query.device }) }) }),
  );
}
