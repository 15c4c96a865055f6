/**
 * The fleet's clock: a signed reset for gates pushed into the future (a beacon from a gateway
 * whose clock was wrong, taken at a cold boot). Every gate forgets its high-water mark, takes
 * this gateway's time as the new one and anchors on the next beacon (docs/protocol.md).
 */
import type { FastifyInstance } from 'fastify';
import { MAX_CLOCK_RESET_REASON } from '../../protocol/bundles/clock-reset.ts';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { OPERATOR_SECURITY, operatorErrors } from './api-schemas.ts';

interface ResetBody {
  reason: string;
}

const resetBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: MAX_CLOCK_RESET_REASON, description: 'why; every gate logs it' } },
} as const;

const resetReply = {
  type: 'object',
  required: ['version', 'resetTo'],
  properties: {
    version: { type: 'integer', description: 'the reset command version (gates apply each once)' },
    resetTo: { type: 'string', format: 'date-time', description: "the gates' new high-water mark: this gateway's time" },
  },
} as const;

const clockView = {
  type: 'object',
  required: ['gatewayTime', 'lastReset'],
  properties: {
    gatewayTime: { type: 'string', format: 'date-time', description: "this gateway's clock: what a reset would send" },
    lastReset: {
      type: ['object', 'null'],
      required: ['version', 'resetTo'],
      properties: { version: { type: 'integer' }, resetTo: { type: 'string', format: 'date-time' }, reason: { type: 'string' } },
    },
  },
} as const;

/** Registered inside the operator (authenticated) context, under /api. */
export async function clockRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  app.get(
    '/clock',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['clock'],
        summary: "This gateway's time (check it before a reset) and the last clock reset sent",
        security: OPERATOR_SECURITY,
        response: { 200: clockView, 401: operatorErrors[401] },
      },
    },
    async () => {
      const last = await ctx.fleet.lastClockReset();
      const lastReset = last && { version: last.version, resetTo: new Date(last.resetToMs).toISOString(), ...(last.reason !== undefined && { reason: last.reason }) };
      return { gatewayTime: new Date().toISOString(), lastReset };
    },
  );

  app.post<{ Body: ResetBody }>(
    '/clock/reset',
    {
      config: { scope: 'command' },
      schema: {
        tags: ['clock'],
        summary: "Reset every gate's clock high-water mark to this gateway's time (signed, retained)",
        description:
          "For gates stuck in the future. Check this gateway's clock first: its time becomes every gate's new high-water mark. Gates are unanchored until the next time beacon (a few seconds).",
        security: OPERATOR_SECURITY,
        body: resetBody,
        response: { 200: resetReply, ...operatorErrors },
      },
    },
    async (request) => {
      const reset = await ctx.fleet.clockReset(request.body.reason);
      const resetTo = new Date(reset.resetToMs).toISOString();
      request.log.warn({ version: reset.version, resetTo, reason: reset.reason, operator: request.operator?.name }, 'fleet clock reset sent');
      return { version: reset.version, resetTo };
    },
  );
}
