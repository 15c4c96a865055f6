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

/** Registered inside the operator (authenticated) context, under /api. */
export async function clockRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  app.post<{ Body: ResetBody }>(
    '/clock/reset',
    {
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
