import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildAsyncApiDocument } from './asyncapi-document.ts';

/** Every field name, and every enum or const text, of a schema and what it contains. */
function namesIn(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) namesIn(item, into);
    return into;
  }
  if (node === null || typeof node !== 'object') return into;
  const schema = node as Record<string, unknown>;
  if (schema.properties && typeof schema.properties === 'object') for (const name of Object.keys(schema.properties)) into.add(name);
  if (Array.isArray(schema.enum)) for (const value of schema.enum) if (typeof value === 'string') into.add(value);
  if (typeof schema.const === 'string') into.add(schema.const);
  for (const value of Object.values(schema)) namesIn(value, into);
  return into;
}

describe('docs/protocol.md', () => {
  const text = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  const doc = buildAsyncApiDocument() as unknown as { components: { schemas: Record<string, unknown> }; channels: Record<string, { address: string }> };

  it('names every payload field and every enum value of the AsyncAPI schemas, in code style', () => {
    const missing = [...namesIn(doc.components.schemas)].filter((name) => !text.includes(`\`${name}\``));
    assert.deepEqual(missing, [], 'add these to docs/protocol.md (the code changed the contract)');
  });

  it('names every topic and links the machine-readable document', () => {
    for (const { address } of Object.values(doc.channels)) assert.ok(text.includes(`\`${address}\``), address);
    assert.ok(text.includes('`GET /asyncapi.json`'));
  });
});
