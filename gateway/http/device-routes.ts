/**
 * Gates: registering one (its MQTT password is shown once), listing them with
 * what they last reported, deleting one, and sending one a signed command.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GATE_COMMANDS, type GateCommandName } from '../../protocol/bundles/downlink-bundles.ts';
import { MODES, type Mode } from '../../protocol/ticket/claims.ts';
import type { Direction } from '../../protocol/uplink/tap-record.ts';
import type { Device } from '../ledger/ledger.ts';
import type { GatewayApiContext } from '../service/gateway-context.ts';
import { errorSchema, HttpError } from './api-errors.ts';
import { deviceIdSchema, OPERATOR_SECURITY, operatorErrors, zoneSchema } from './api-schemas.ts';

interface RegisterBody {
  id: string;
  station: string;
  zone: number;
  mode: Mode;
  direction: Direction;
  fareStop?: string;
  fareNetwork?: string;
}

interface CommandBody {
  command: GateCommandName;
  reason?: string;
}

const registerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'station', 'zone', 'mode', 'direction'],
  properties: {
    id: deviceIdSchema,
    station: { ...deviceIdSchema, description: 'a topic level of the station topic, like device ids' },
    zone: zoneSchema,
    mode: { type: 'string', enum: MODES },
    direction: { type: 'string', enum: ['entry', 'exit'] },
    fareStop: { type: 'string', minLength: 1, maxLength: 200, description: "the fare feed's stop_id of the gate's station; default the station id" },
    fareNetwork: { type: 'string', minLength: 1, maxLength: 200, description: "the fare feed's network_id of the gate; default its mode" },
  },
} as const;

const registered = {
  type: 'object',
  required: ['id', 'mqtt'],
  properties: {
    id: { type: 'string' },
    mqtt: {
      type: 'object',
      required: ['url', 'username', 'password'],
      properties: { url: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' } },
    },
  },
} as const;

/** What a device looks like to an operator: everything but its credential hash. */
const deviceView = {
  type: 'object',
  required: ['id', 'station', 'zone', 'mode', 'direction', 'createdAt', 'state'],
  properties: {
    id: { type: 'string' },
    station: { type: 'string' },
    zone: { type: 'integer' },
    mode: { type: 'string' },
    direction: { type: 'string' },
    fareStop: { type: 'string', description: 'fare feed stop_id, when set apart from the station' },
    fareNetwork: { type: 'string', description: 'fare feed network_id, when set apart from the mode' },
    createdAt: { type: 'integer', description: 'Unix ms' },
    state: {
      type: 'object',
      properties: {
        online: { type: 'boolean' },
        lastSeen: { type: ['integer', 'null'], description: 'Unix ms' },
        bundleVersions: { type: 'object', additionalProperties: { type: 'integer' } },
        backlog: { type: 'integer', description: 'journal records not yet acked' },
        clockAnchored: { type: 'boolean' },
      },
    },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: deviceIdSchema } } as const;

const commandBody = {
  type: 'object',
  additionalProperties: false,
  required: ['command'],
  properties: { command: { type: 'string', enum: GATE_COMMANDS }, reason: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** Registered inside the operator (authenticated) context, under /api. */
export async function deviceRoutes(app: FastifyInstance, ctx: GatewayApiContext): Promise<void> {
  const tags = ['devices'];
  app.post<{ Body: RegisterBody }>(
    '/devices',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Register a gate, or re-register it with a new password (the old one stops working)',
        description: 'The MQTT password is in this answer only; the ledger keeps its hash. 201 for a new gate, 200 for a re-registered one.',
        security: OPERATOR_SECURITY,
        body: registerBody,
        response: { 200: registered, 201: registered, ...operatorErrors },
      },
    },
    registerHandler(ctx),
  );

  app.get(
    '/devices',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Every registered gate with what it last reported',
        security: OPERATOR_SECURITY,
        response: { 200: { type: 'object', required: ['devices'], properties: { devices: { type: 'array', items: deviceView } } }, 401: errorSchema },
      },
    },
    async () => ({ devices: (await ctx.ledger.listDevices()).map(view) }),
  );

  app.get<{ Params: { id: string } }>(
    '/devices/:id',
    { config: { scope: 'read' }, schema: { tags, summary: 'One gate', security: OPERATOR_SECURITY, params: idParams, response: { 200: deviceView, 404: errorSchema, ...operatorErrors } } },
    async (request) => view(await knownDevice(ctx, request.params.id)),
  );

  app.delete<{ Params: { id: string } }>(
    '/devices/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Delete a gate: its password stops working and its live MQTT sessions end (its records stay)',
        security: OPERATOR_SECURITY,
        params: idParams,
        response: { 204: { type: 'null' }, 404: errorSchema, ...operatorErrors },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await ctx.devices.remove(id))) throw new HttpError(404, `device ${id} is not registered`);
      ctx.clearing()?.forgetDevice(id);
      request.log.info({ device: id, operator: request.operator?.name }, 'device removed');
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { id: string }; Body: CommandBody }>(
    '/devices/:id/commands',
    {
      config: { scope: 'command' },
      schema: {
        tags,
        summary: 'Send a gate a signed command (retained, so an offline gate gets it when it reconnects)',
        security: OPERATOR_SECURITY,
        params: idParams,
        body: commandBody,
        response: { 200: { type: 'object', required: ['version'], properties: { version: { type: 'integer' } } }, 404: errorSchema, ...operatorErrors },
      },
    },
    async (request) => {
      const { id } = request.params;
      await knownDevice(ctx, id);
      const version = await ctx.fleet.command(id, request.body.command, request.body.reason);
      request.log.info({ device: id, command: request.body.command, version, operator: request.operator?.name }, 'gate command sent');
      return { version };
    },
  );
}

/** POST /devices: 201 for a new gate, 200 for a re-registered one (its password is replaced). */
function registerHandler(ctx: GatewayApiContext) {
  return async (request: FastifyRequest<{ Body: RegisterBody }>, reply: FastifyReply) => {
    const known = (await ctx.ledger.getDevice(request.body.id)) !== null;
    checkFarePlace(ctx, request.body);
    let issued;
    try {
      issued = await ctx.devices.register(request.body);
    } catch (error) {
      // register() names the field ("id: ... is reserved") when the id is refused.
      const message = (error as Error).message;
      if (message.startsWith('id: ')) throw new HttpError(400, `body/id ${message.slice(4)}`);
      throw error;
    }
    ctx.clearing()?.forgetDevice(request.body.id);
    request.log.info({ device: request.body.id, operator: request.operator?.name, known }, 'device registered');
    return reply.code(known ? 200 : 201).send({ id: request.body.id, mqtt: { url: ctx.brokerUrl(), ...issued } });
  };
}

/** With a fare feed, the gate's stop and network (given, or its station and mode) must be in it. */
function checkFarePlace(ctx: GatewayApiContext, body: RegisterBody): void {
  const feed = ctx.clearing()?.feed;
  if (!feed) return;
  const problems: string[] = [];
  const stop = body.fareStop ?? body.station;
  const network = body.fareNetwork ?? body.mode;
  if (!feed.stopNames.has(stop)) problems.push(`body/${body.fareStop === undefined ? 'station' : 'fareStop'} "${stop}" is not a stop_id of the fare feed${body.fareStop === undefined ? ' (set fareStop)' : ''}`);
  if (!feed.networkNames.has(network)) problems.push(`body/${body.fareNetwork === undefined ? 'mode' : 'fareNetwork'} "${network}" is not a network_id of the fare feed${body.fareNetwork === undefined ? ' (set fareNetwork)' : ''}`);
  if (problems.length > 0) throw new HttpError(400, problems.join('; '));
}

async function knownDevice(ctx: GatewayApiContext, id: string): Promise<Device> {
  const device = await ctx.ledger.getDevice(id);
  if (!device) throw new HttpError(404, `device ${id} is not registered`);
  return device;
}

function view(device: Device): Omit<Device, 'credentialHash'> {
  const { credentialHash: _hidden, ...rest } = device;
  return rest;
}
