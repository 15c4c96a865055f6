/**
 * Issuing tickets with the keys directory's current issuer key and reading them
 * back. Each issued ticket gets a one-time QR retrieval secret, in the issue
 * answer's QR links only (ticket-qr-routes.ts): the ticket id travels in taps
 * and logs, so it must not be enough to fetch the ticket.
 */
import type { FastifyInstance } from 'fastify';
import { FARE_CLASSES, MODES, PRODUCTS, type FareClass, type Mode, type Product } from '../../protocol/ticket/claims.ts';
import { issueTicket, TicketRequestError, type TicketRequest } from '../../keys/issue-ticket.ts';
import { readIssuerSigningKey, readKeyring } from '../../keys/keys-dir.ts';
import { priceFor } from '../fares/fare-prices.ts';
import { hashSecret, newSecret } from '../fleet/device-credentials.ts';
import type { StoredTicket } from '../ledger/ledger.ts';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { errorSchema, HttpError } from './api-errors.ts';
import { holderKeyBytes, holderKeySchema, isoTime, isoToMs, OPERATOR_SECURITY, operatorErrors, ticketIdSchema, zoneSchema } from './api-schemas.ts';

interface IssueBody {
  product: Product;
  class?: FareClass;
  zones?: number[];
  modes?: Mode[];
  from: string;
  until: string;
  holderKey?: string;
  fareProductId?: string;
}

const issueBody = {
  type: 'object',
  additionalProperties: false,
  required: ['product', 'from', 'until'],
  properties: {
    product: { type: 'string', enum: PRODUCTS },
    class: { type: 'string', enum: FARE_CLASSES, description: 'adult when absent' },
    zones: { type: 'array', minItems: 1, maxItems: 64, items: zoneSchema, description: 'every zone when absent' },
    modes: { type: 'array', minItems: 1, maxItems: MODES.length, items: { type: 'string', enum: MODES }, description: 'every mode when absent' },
    from: isoTime,
    until: isoTime,
    holderKey: { ...holderKeySchema, description: `${holderKeySchema.description}; the ticket then only works as a rotating code` },
    fareProductId: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: "the fare feed's fare_product_id this single or pass is sold as; its price for the ticket's class is recorded, so clearing can apportion it by use",
    },
  },
} as const;

/** Enrolment: the rider's app sends its public key and gets a ticket bound to it. */
const enrolmentBody = { ...issueBody, required: [...issueBody.required, 'holderKey'] } as const;

const qrLinks = {
  type: 'object',
  required: ['png', 'svg'],
  properties: { png: { type: 'string' }, svg: { type: 'string' } },
  description: "in the issue answer the links carry the ticket's one-time retrieval secret (?secret=): either link works once without a token",
} as const;

const issuedReply = {
  type: 'object',
  required: ['ticketId', 'text', 'qr'],
  properties: { ticketId: { type: 'string' }, text: { type: 'string' }, qr: qrLinks },
} as const;

const ticketView = {
  type: 'object',
  required: ['ticketId', 'product', 'class', 'zones', 'modes', 'from', 'until', 'text', 'issuedAt', 'qr'],
  properties: {
    ticketId: { type: 'string' },
    product: { type: 'string' },
    class: { type: 'string' },
    zones: { type: 'array', items: { type: 'integer' }, description: 'empty: every zone' },
    modes: { type: 'array', items: { type: 'string' }, description: 'empty: every mode' },
    from: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    holderKey: { type: 'string', description: 'hex' },
    fareProductId: { type: 'string' },
    priceMinor: { type: 'integer', description: 'the price in minor units of currency' },
    currency: { type: 'string' },
    text: { type: 'string' },
    issuedAt: { type: 'string', format: 'date-time' },
    qr: qrLinks,
  },
} as const;

export const idParams = { type: 'object', required: ['id'], properties: { id: ticketIdSchema } } as const;

const qrLinksOf = (ticketId: string, secret?: string) => {
  const query = secret === undefined ? '' : `?secret=${secret}`;
  return { png: `/api/tickets/${ticketId}/qr.png${query}`, svg: `/api/tickets/${ticketId}/qr.svg${query}` };
};
const isoOfSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString();

/**
 * Signs with the current issuer key; a request the issuer refuses is the caller's
 * error (400). Returns the stored ticket and its QR secret (the ledger has its hash).
 */
async function issue(ctx: GatewayApiContext, body: IssueBody): Promise<{ ticket: StoredTicket; qrSecret: string }> {
  const sale = saleOf(ctx, body);
  const keyring = readKeyring(ctx.keysDir);
  const now = Date.now();
  const issuer = keyring.issuers.find((entry) => entry.kid === keyring.signingKid);
  if (issuer?.notAfter !== undefined && Date.parse(issuer.notAfter) <= now) {
    // Gates would refuse its tickets (key_not_valid): better no ticket than a useless one.
    throw new HttpError(409, `the current issuer key ${keyring.signingKid} expired at ${issuer.notAfter}; rotate it (npm run keys -- rotate)`);
  }
  const request: TicketRequest = {
    product: body.product,
    validFrom: Math.floor(isoToMs(body.from) / 1000),
    validUntil: Math.floor(isoToMs(body.until) / 1000),
    ...(body.class !== undefined && { fareClass: body.class }),
    ...(body.zones !== undefined && { zones: body.zones }),
    ...(body.modes !== undefined && { modes: body.modes }),
    ...(body.holderKey !== undefined && { holderKey: holderKeyBytes(body.holderKey) }),
  };
  let issued;
  try {
    issued = issueTicket(request, readIssuerSigningKey(ctx.keysDir, keyring.signingKid), now / 1000);
  } catch (error) {
    // Its messages read "field: problem" (e.g. "until: must be after from").
    if (error instanceof TicketRequestError) throw new HttpError(400, `body/${error.message.replace(': ', ' ')}`);
    throw error;
  }
  const { claims } = issued;
  const qrSecret = newSecret();
  const stored: StoredTicket = {
    ticketId: issued.ticketId,
    product: claims.prd,
    fareClass: claims.cls,
    zones: claims.zon ?? [],
    modes: claims.mod ?? [],
    nbf: claims.nbf,
    exp: claims.exp,
    ...(claims.holderKey && { holderKeyHex: Buffer.from(claims.holderKey).toString('hex') }),
    text: issued.text,
    issuedAt: now,
    ...sale,
    qrSecretHash: hashSecret(qrSecret),
  };
  await ctx.ledger.insertIssuedTicket(stored);
  return { ticket: stored, qrSecret };
}

/** The fare product a single or pass is sold as, with its price for the ticket's class (from the fare feed). */
function saleOf(ctx: GatewayApiContext, body: IssueBody): Pick<StoredTicket, 'fareProductId' | 'priceMinor' | 'currency'> {
  if (body.fareProductId === undefined) return {};
  if (body.product === 'account') throw new HttpError(400, 'body/fareProductId is not for an account ticket: its taps are rated and charged afterwards');
  const feed = ctx.clearing()?.feed;
  if (!feed) throw new HttpError(409, 'body/fareProductId needs a fare feed on this gateway (fares.feedDir or --fare-feed)');
  if (!feed.prices.has(body.fareProductId)) throw new HttpError(400, `body/fareProductId "${body.fareProductId}" is not a fare product of the fare feed`);
  const price = priceFor(feed, body.fareProductId, body.class ?? 'adult', '');
  if (!price) throw new HttpError(400, `body/fareProductId "${body.fareProductId}" has no price for class ${body.class ?? 'adult'}`);
  return { fareProductId: body.fareProductId, priceMinor: price.amountMinor, currency: price.currency };
}

export async function storedTicket(ctx: GatewayApiContext, id: string): Promise<StoredTicket> {
  const ticket = await ctx.ledger.getIssuedTicket(id.toLowerCase());
  if (!ticket) throw new HttpError(404, 'no ticket with that id was issued here');
  return ticket;
}

/** Registered inside the operator (authenticated) context, under /api. */
export async function ticketRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  const tags = ['tickets'];
  for (const [path, body, summary] of [
    ['/tickets', issueBody, 'Issue a ticket signed by the current issuer key'],
    ['/enrolments', enrolmentBody, "Issue a ticket bound to a rider app's public key (holderKey required)"],
  ] as const) {
    app.post<{ Body: IssueBody }>(
      path,
      { config: { scope: 'issue' }, schema: { tags, summary, security: OPERATOR_SECURITY, body, response: { 201: issuedReply, 409: errorSchema, ...operatorErrors } } },
      async (request, reply) => {
        const { ticket, qrSecret } = await issue(ctx, request.body);
        request.log.info({ product: ticket.product, bound: ticket.holderKeyHex !== undefined, operator: request.operator?.name }, 'ticket issued');
        return reply.code(201).send({ ticketId: ticket.ticketId, text: ticket.text, qr: qrLinksOf(ticket.ticketId, qrSecret) });
      },
    );
  }

  app.get<{ Params: { id: string } }>(
    '/tickets/:id',
    { config: { scope: 'read' }, schema: { tags, summary: 'A ticket issued here', security: OPERATOR_SECURITY, params: idParams, response: { 200: ticketView, 404: errorSchema, ...operatorErrors } } },
    async (request) => {
      const ticket = await storedTicket(ctx, request.params.id);
      return {
        ticketId: ticket.ticketId,
        product: ticket.product,
        class: ticket.fareClass,
        zones: ticket.zones,
        modes: ticket.modes,
        from: isoOfSeconds(ticket.nbf),
        until: isoOfSeconds(ticket.exp),
        ...(ticket.holderKeyHex !== undefined && { holderKey: ticket.holderKeyHex }),
        ...(ticket.fareProductId !== undefined && { fareProductId: ticket.fareProductId }),
        ...(ticket.priceMinor !== undefined && { priceMinor: ticket.priceMinor, currency: ticket.currency }),
        text: ticket.text,
        issuedAt: new Date(ticket.issuedAt).toISOString(),
        qr: qrLinksOf(ticket.ticketId),
      };
    },
  );
}
