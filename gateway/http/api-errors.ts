/**
 * How the API answers when something is wrong: one body shape for every error
 * (`{ error, message }`), validation failures that name every bad field at once,
 * and 5xx answers that say nothing about the cause (which is logged instead) —
 * conventions: the fastify/demo error handler.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance } from 'fastify';
import { isoTimeProblem } from '../../runtime/iso-time.ts';

/** An error a route throws on purpose; its message is for the caller. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: string;
  message?: string;
}

/** The response schema every route shares for its error statuses. */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

const list = (values: unknown): string => (Array.isArray(values) ? values.map(String).join(', ') : String(values));

const withArticle = (type: string): string => `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;

/** One ajv error as `part/path problem`, phrased for an operator rather than a schema author. */
function describe(error: ErrorObject, part: string): string {
  const path = `${part === 'querystring' ? 'query' : part}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${path}/${String(params.missingProperty)} is required`;
    case 'additionalProperties':
      return `${path}/${String(params.additionalProperty)} is not allowed`;
    case 'type':
      return `${path} must be ${String(params.type).split(',').map(withArticle).join(' or ')}`;
    case 'enum':
      return `${path} must be one of ${list(params.allowedValues)}`;
    case 'format':
      return params.format === 'date-time'
        ? `${path} must be an ISO 8601 time with a zone (e.g. 2026-01-01T08:00:00Z)${typeof error.data === 'string' ? `: ${isoTimeProblem(error.data) ?? ''}` : ''}`
        : `${path} must be a ${String(params.format)}`;
    case 'pattern':
      // The schema's description says what the pattern means (it is also the OpenAPI text).
      return `${path} must be ${typeof error.parentSchema?.description === 'string' ? error.parentSchema.description : `like ${String(params.pattern)}`}`;
    default:
      return `${path} ${error.message ?? 'is invalid'}`;
  }
}

/** fastify's schemaErrorFormatter: every error of the request part, joined with "; ". */
export function formatSchemaErrors(errors: ErrorObject[], part: string): Error {
  const messages = [...new Set(errors.map((error) => describe(error, part)))];
  return new Error(messages.join('; '));
}

/** Installs the error and not-found handlers on the root instance. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      return reply.code(400).send({ error: 'Bad Request', message: error.message } satisfies ErrorBody);
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
      return reply.code(500).send({ error: 'Internal Server Error' } satisfies ErrorBody);
    }
    return reply.code(status).send({ error: STATUS_CODES[status] ?? 'Error', message: error.message } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) => {
    // The path only, not the query: queries may carry ticket ids.
    const path = request.url.split('?')[0] ?? '';
    return reply.code(404).send({ error: 'Not Found', message: `no route ${request.method} ${path}` } satisfies ErrorBody);
  });
}
