/**
 * Checks payloads against a published AsyncAPI document (as parsed JSON, the way a vendor
 * reads it), with ajv: the tests of both services feed it the messages their code really sends.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { describeErrors } from '../../protocol/mqtt/messages.ts';

/** The value a local JSON pointer (`#/a/b`) names in `doc`, or undefined. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Every `$ref` string in the document, with where it sits. */
export function allRefs(node: unknown, at = '#'): Array<{ at: string; ref: string }> {
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [{ at, ref: value }] : allRefs(value, `${at}/${key}`),
  );
}

function follow(doc: unknown, value: unknown): unknown {
  const ref = (value as { $ref?: unknown } | undefined)?.$ref;
  return typeof ref === 'string' ? resolvePointer(doc, ref) : value;
}

export class AsyncApiPayloads {
  /** AsyncAPI's `discriminator` (a property name) is an annotation to a plain JSON Schema validator. */
  private readonly ajv = new Ajv({ allErrors: true }).addKeyword('discriminator');
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly doc: unknown) {}

  /** The schema a message's payload must meet: the JSON payload, or a bundle's decoded payload. */
  private validatorOf(messageName: string): ValidateFunction {
    const known = this.compiled.get(messageName);
    if (known) return known;
    const message = resolvePointer(this.doc, `#/components/messages/${messageName}`) as Record<string, unknown> | undefined;
    if (!message) throw new Error(`the document has no message ${messageName}`);
    const schema = follow(this.doc, message['x-decoded-payload'] ?? message.payload);
    if (schema === undefined || schema === null || typeof schema !== 'object') throw new Error(`message ${messageName} has no payload schema`);
    const validate = this.ajv.compile(schema);
    this.compiled.set(messageName, validate);
    return validate;
  }

  /** The problems of `payload` as message `messageName` ('' when it conforms). */
  problems(messageName: string, payload: unknown): string {
    const validate = this.validatorOf(messageName);
    return validate(payload) ? '' : describeErrors(validate.errors, 10);
  }

  /** The problems of `payload` against `components.schemas[name]` ('' when it conforms). */
  problemsOfSchema(name: string, payload: unknown): string {
    const schema = resolvePointer(this.doc, `#/components/schemas/${name}`);
    if (schema === null || typeof schema !== 'object') throw new Error(`the document has no schema ${name}`);
    const validate = this.ajv.compile(schema);
    return validate(payload) ? '' : describeErrors(validate.errors, 10);
  }
}
