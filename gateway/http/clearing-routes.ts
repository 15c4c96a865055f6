/**
 * Clearing for operators: the settlement of a service day (JSON, or CSV with
 * `Accept: text/csv`), an account's journeys and charges with their explanations (for
 * disputes, with every superseded version on request), and the fraud flags.
 * All of it needs the gateway to have a fare feed (409 otherwise).
 */
import type { FastifyInstance } from 'fastify';
import type { FareFeed } from '../fares/fares-api.ts';
import { FLAG_KINDS } from '../ledger/clearing-store.ts';
import { buildSettlement } from '../clearing/settlement.ts';
import { settlementCsv } from '../clearing/settlement-csv.ts';
import { listFlags } from '../clearing/flag-list.ts';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { errorSchema, HttpError } from './api-errors.ts';
import { OPERATOR_SECURITY, operatorErrors, ticketIdSchema } from './api-schemas.ts';
import { flagSchema, journeysReply, settlementSchema } from './clearing-schemas.ts';

const daySchema = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'a service day as YYYY-MM-DD' } as const;
/** The longest range of days one request reads. */
const MAX_DAYS = 366;

/** A day that passed daySchema, checked to be a real date. */
function checkDay(day: string, field: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) throw new HttpError(400, `query/${field} ${day} is not a date in the calendar`);
  return day;
}

/** from..to (to defaults to from): real dates, in order, at most MAX_DAYS apart. */
function dayRange(from: string, to: string | undefined): { from: string; to: string } {
  const first = checkDay(from, 'from');
  const last = to === undefined ? first : checkDay(to, 'to');
  const span = (Date.parse(last) - Date.parse(first)) / 86_400_000;
  if (span < 0) throw new HttpError(400, `query/to ${last} is before from ${first}`);
  if (span >= MAX_DAYS) throw new HttpError(400, `query/to is ${span + 1} days after from; at most ${MAX_DAYS} days a request`);
  return { from: first, to: last };
}

/** CSV when the Accept header names text/csv before (or without) application/json. */
function wantsCsv(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  const csv = types.indexOf('text/csv');
  const json = types.indexOf('application/json');
  return csv !== -1 && (json === -1 || csv < json);
}

function feedOf(ctx: GatewayApiContext): FareFeed {
  const clearing = ctx.clearing();
  if (!clearing) throw new HttpError(409, 'this gateway has no fare feed (fares.feedDir or --fare-feed), so it does not clear fares');
  return clearing.feed;
}

const rangeQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['from'],
  properties: { from: { ...daySchema, description: 'first service day, as YYYY-MM-DD' }, to: { ...daySchema, description: 'last service day (inclusive), as YYYY-MM-DD; default from' } },
} as const;

/** Registered inside the operator (authenticated) context, under /api. */
export async function clearingRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  const tags = ['clearing'];
  const conflict = { 409: errorSchema };

  app.get<{ Querystring: { day: string } }>(
    '/settlement',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The settlement of one service day per agency, with the reconciliation per device',
        description: 'JSON by default; CSV (two blocks: agency rows, then device rows) with Accept: text/csv.',
        security: OPERATOR_SECURITY,
        querystring: { type: 'object', additionalProperties: false, required: ['day'], properties: { day: daySchema } },
        response: { 200: settlementSchema, ...conflict, ...operatorErrors },
      },
    },
    async (request, reply) => {
      const feed = feedOf(ctx);
      const settlement = await buildSettlement(ctx.ledger, feed, checkDay(request.query.day, 'day'), Date.now());
      if (wantsCsv(request.headers.accept)) {
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="settlement-${settlement.serviceDay}.csv"`).send(settlementCsv(settlement));
      }
      return settlement;
    },
  );

  app.get<{ Params: { account: string }; Querystring: { from: string; to?: string; history?: boolean } }>(
    '/accounts/:account/journeys',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "An account's journeys and charges with their explanations, per service day (disputes)",
        description: 'The current charges of each day; with history=true also every version they superseded.',
        security: OPERATOR_SECURITY,
        params: { type: 'object', required: ['account'], properties: { account: { ...ticketIdSchema, description: `the account: its ticket id, ${ticketIdSchema.description}` } } },
        querystring: { ...rangeQuery, properties: { ...rangeQuery.properties, history: { type: 'boolean', default: false } } },
        response: { 200: journeysReply, ...conflict, ...operatorErrors },
      },
    },
    async (request) => {
      feedOf(ctx);
      const { from, to } = dayRange(request.query.from, request.query.to);
      const account = request.params.account.toLowerCase();
      const days = request.query.history ? await ctx.ledger.ratingHistory(account, from, to) : await ctx.ledger.currentRatings(account, from, to);
      return { account, from, to, days };
    },
  );

  app.get<{ Querystring: { from: string; to?: string; kind?: string } }>(
    '/flags',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Fraud flags raised at clearing: a single accepted at two entries, an entry without exit then another entry, two stations too fast',
        security: OPERATOR_SECURITY,
        querystring: { ...rangeQuery, properties: { ...rangeQuery.properties, kind: { type: 'string', enum: FLAG_KINDS } } },
        response: { 200: { type: 'object', required: ['from', 'to', 'flags'], properties: { from: { type: 'string' }, to: { type: 'string' }, flags: { type: 'array', items: flagSchema } } }, ...conflict, ...operatorErrors },
      },
    },
    async (request) => {
      const feed = feedOf(ctx);
      const { from, to } = dayRange(request.query.from, request.query.to);
      const flags = await listFlags(ctx.ledger, feed, from, to);
      return { from, to, flags: request.query.kind === undefined ? flags : flags.filter((flag) => flag.kind === request.query.kind) };
    },
  );
}
