/**
 * The AsyncAPI document as one readable, self-contained HTML page (no script, no CDN):
 * per channel its address, QoS and retain, the gate's action and the message's fields
 * (type, required, limits), generated from the same document /asyncapi.json serves.
 */
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

function resolve(doc: Json, value: unknown): Json {
  const ref = isObject(value) ? value.$ref : undefined;
  if (typeof ref !== 'string') return isObject(value) ? value : {};
  let node: unknown = doc;
  for (const key of ref.slice(2).split('/')) node = isObject(node) ? node[key] : undefined;
  return isObject(node) ? node : {};
}

/** Type, enum or const of a schema, in a few words. */
function typeOf(schema: Json): string {
  if ('const' in schema) return `= ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((item) => JSON.stringify(item)).join(', ')}`;
  if (schema.type === 'array') return 'array';
  return typeof schema.type === 'string' ? schema.type : 'object';
}

const LIMITS = ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'pattern'] as const;

function limitsOf(schema: Json): string {
  const limits = LIMITS.filter((key) => schema[key] !== undefined).map((key) => `${key} ${String(schema[key])}`);
  if (schema.additionalProperties === false) limits.push('no other fields');
  return limits.join('; ');
}

interface Row {
  field: string;
  type: string;
  required: boolean;
  limits: string;
  description: string;
}

/** One row per field, nested objects and array items flattened as `a.b` and `a[].b`; oneOf variants by their const kind. */
function rows(schema: Json, path: string, required: boolean): Row[] {
  const own: Row[] = path
    ? [{ field: path, type: typeOf(schema), required, limits: limitsOf(schema), description: typeof schema.description === 'string' ? schema.description : '' }]
    : [];
  const needed = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const properties = isObject(schema.properties) ? Object.entries(schema.properties) : [];
  const children = properties.flatMap(([name, child]) => rows(isObject(child) ? child : {}, path ? `${path}.${name}` : name, needed.has(name)));
  const items = isObject(schema.items) ? rows(schema.items, `${path}[]`, true).filter((row) => row.field !== `${path}[]` || row.type !== 'object') : [];
  const variants = Array.isArray(schema.oneOf)
    ? schema.oneOf.filter(isObject).flatMap((variant) => {
        const kind = isObject(variant.properties) && isObject(variant.properties.kind) ? String(variant.properties.kind.const) : '?';
        return rows({ ...variant, required: [...needed, ...((variant.required as string[] | undefined) ?? [])] }, `${path} (kind ${kind})`, true).slice(1);
      })
    : [];
  return [...own, ...children, ...items, ...variants];
}

function table(rowsOf: Row[]): string {
  const body = rowsOf
    .map((row) => `<tr><td><code>${escapeHtml(row.field)}</code></td><td>${escapeHtml(row.type)}</td><td>${row.required ? 'yes' : ''}</td><td>${escapeHtml(row.limits)}</td><td>${escapeHtml(row.description)}</td></tr>`)
    .join('\n');
  return `<table><thead><tr><th>field</th><th>type</th><th>required</th><th>limits</th><th>notes</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function channelSection(doc: Json, id: string, channel: Json): string {
  const operations = Object.values(isObject(doc.operations) ? doc.operations : {}).filter(isObject).filter((op) => resolve(doc, op.channel) === channel);
  const actions = operations.map((op) => {
    const mqtt = isObject(op.bindings) && isObject(op.bindings.mqtt) ? op.bindings.mqtt : {};
    return `gate ${String(op.action)}s · QoS ${String(mqtt.qos)}${mqtt.retain ? ' · retained' : ''}`;
  });
  const messages = Object.values(isObject(channel.messages) ? channel.messages : {}).map((ref) => {
    const message = resolve(doc, ref);
    const decoded = message['x-decoded-payload'];
    const schema = resolve(doc, decoded ?? message.payload);
    const envelope = decoded ? '<p>Payload: COSE_Sign1 bytes (see “Signed envelope”); decoded CBOR payload map, byte strings shown as hex:</p>' : `<p>Payload: ${escapeHtml(String(message.contentType))}</p>`;
    return `<h3>${escapeHtml(String(message.title))}</h3><p>${escapeHtml(String(message.summary ?? ''))}</p>${envelope}${table(rows(schema, '', true))}`;
  });
  return `<section id="${escapeHtml(id)}"><h2><code>${escapeHtml(String(channel.address))}</code></h2><p>${escapeHtml(actions.join('; '))} — ${escapeHtml(String(channel.description ?? ''))}</p>${messages.join('\n')}</section>`;
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{font-size:.92em}section{border-top:2px solid #333;margin-top:2rem}`;

export interface AsyncApiPage {
  html: string;
  csp: string;
}

export function renderAsyncApiPage(doc: Json): AsyncApiPage {
  const info = isObject(doc.info) ? doc.info : {};
  const servers = Object.values(isObject(doc.servers) ? doc.servers : {}).filter(isObject);
  const channels = Object.entries(isObject(doc.channels) ? doc.channels : {}).filter((entry): entry is [string, Json] => isObject(entry[1]));
  const envelope = resolve(doc, { $ref: '#/components/schemas/CoseSign1' });
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(String(info.title))}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(String(info.title))} ${escapeHtml(String(info.version))}</h1>
<p>${escapeHtml(String(info.description ?? ''))} Machine-readable: <a href="/asyncapi.json">/asyncapi.json</a> (AsyncAPI ${escapeHtml(String(doc.asyncapi))}).</p>
${servers.map((server) => `<p><strong>Broker</strong> ${escapeHtml(String(server.protocol))} ${escapeHtml(String(server.protocolVersion))}: ${escapeHtml(String(server.description ?? ''))}</p>`).join('\n')}
<h2>Signed envelope</h2><p>${escapeHtml(String(envelope.description ?? ''))}</p>
<ul>${channels.map(([id, channel]) => `<li><a href="#${escapeHtml(id)}"><code>${escapeHtml(String(channel.address))}</code></a></li>`).join('')}</ul>
${channels.map(([id, channel]) => channelSection(doc, id, channel)).join('\n')}
</body></html>`;
  const style = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;
  const csp = ["default-src 'none'", `style-src ${style}`, "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');
  return { html, csp };
}
