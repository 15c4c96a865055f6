/**
 * A ticket's QR image, for the rider's app or a ticket office. The ticket id is
 * not a credential (it travels in taps, journals and logs), so the image needs
 * one of:
 *  - an API token with the `read` or `issue` scope (Authorization: Bearer), or
 *  - the ticket's one-time retrieval secret (`?secret=`), given only in the issue
 *    answer's QR links; it is compared in constant time and used up by the first
 *    image served.
 * Without a credential: 401, before the ticket is looked up. A wrong, used or
 * foreign secret and an unknown ticket all get the same 404, so a caller without
 * a token learns nothing about which tickets exist.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { hashSecret } from '../fleet/device-credentials.ts';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { authenticate, howToGetToken, unauthorized } from './api-auth.ts';
import { errorSchema, HttpError, type ErrorBody } from './api-errors.ts';
import { hasScope } from './api-scopes.ts';
import { idParams, storedTicket } from './ticket-routes.ts';

interface QrRequest {
  Params: { id: string };
  Querystring: { secret?: string };
}

const qrQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { secret: { type: 'string', minLength: 1, maxLength: 128, description: "the one-time retrieval secret of the issue answer's QR links" } },
} as const;

const NOT_FOUND = 'no ticket QR for that id and secret';

/** SHA-256 hex digests compared in constant time; a missing one is compared against a random digest. */
function sameDigest(storedHex: string | undefined, givenHex: string): boolean {
  const given = Buffer.from(givenHex, 'hex');
  const stored = storedHex === undefined ? randomBytes(given.length) : Buffer.from(storedHex, 'hex');
  return stored.length === given.length && timingSafeEqual(stored, given) && storedHex !== undefined;
}

/** The ticket's text when the request carries a credential for it; otherwise answers and returns undefined. */
async function authorisedText(ctx: GatewayApiContext, request: FastifyRequest<QrRequest>, reply: FastifyReply): Promise<string | undefined> {
  const id = request.params.id.toLowerCase();
  const { secret } = request.query;
  if (request.headers.authorization === undefined && secret === undefined) {
    unauthorized(reply, `a ticket's QR needs the retrieval secret of its issue answer (?secret=) or an API token with the read or issue scope; ${howToGetToken(ctx.tokenCreateCommand)}`);
    return undefined;
  }
  if (secret === undefined) {
    const { token, problem } = await authenticate(ctx.ledger, request.headers.authorization, howToGetToken(ctx.tokenCreateCommand));
    if (token === undefined) return void unauthorized(reply, problem);
    if (!hasScope(token.scopes, 'read') && !hasScope(token.scopes, 'issue')) {
      const message = `a ticket's QR needs an API token with the "read" or "issue" scope; this token has ${token.scopes.join(', ')}`;
      return void reply.code(403).send({ error: 'Forbidden', message } satisfies ErrorBody);
    }
    return (await storedTicket(ctx, id)).text;
  }
  const ticket = await ctx.ledger.getIssuedTicket(id);
  const secretHash = hashSecret(secret);
  if (!sameDigest(ticket?.qrSecretHash, secretHash) || !(await ctx.ledger.consumeTicketQrSecret(id, secretHash))) {
    throw new HttpError(404, NOT_FOUND);
  }
  return ticket!.text;
}

/** Public context (rate-limited): the credential is checked here, not by requireOperator. */
export async function ticketQrRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  const formats = {
    png: { type: 'image/png', render: (text: string) => QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4 }) },
    svg: { type: 'image/svg+xml', render: (text: string) => QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }) },
  } as const;
  for (const [extension, format] of Object.entries(formats)) {
    app.get<QrRequest>(
      `/api/tickets/:id/qr.${extension}`,
      {
        schema: {
          tags: ['tickets'],
          summary: `The ticket's QR code as ${extension.toUpperCase()}: with its one-time retrieval secret, or a token with the read or issue scope`,
          params: idParams,
          querystring: qrQuery,
          response: {
            200: { description: format.type, content: { [format.type]: { schema: { type: 'string' } } } },
            400: errorSchema,
            401: errorSchema,
            403: errorSchema,
            404: errorSchema,
          },
        },
      },
      async (request, reply) => {
        const text = await authorisedText(ctx, request, reply);
        if (text === undefined) return reply;
        // The image is the ticket: no cache may keep it.
        return reply.type(format.type).header('cache-control', 'no-store').send(await format.render(text));
      },
    );
  }
}
