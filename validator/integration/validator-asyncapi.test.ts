/**
 * The AsyncAPI document (GET /asyncapi.json) against what a real validator process puts on
 * the wire: tap batches (a declared loss, accepted and rejected taps, a passage, a gate
 * event), its retained state and last will, and its station passback shares, checked byte
 * for byte as received by the broker, with ajv against the published schemas.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildAsyncApiDocument } from '../../protocol/asyncapi/asyncapi-document.ts';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { AsyncApiPayloads } from '../../runtime/testing/asyncapi-payloads.ts';
import { drained, TestGateway } from '../../runtime/testing/test-gateway.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { TestKeys } from '../../runtime/testing/test-keys.ts';
import { DEVICE, writeConfig } from '../../runtime/testing/validator-config-file.ts';
import { tapsLogged, ValidatorProcess } from '../../runtime/testing/validator-process.ts';
import { waitUntil } from '../../runtime/testing/wait.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** Which message of the document each topic carries. */
function messageOf(topic: string): string {
  if (topic.endsWith('/taps')) return 'tapBatch';
  if (topic.endsWith('/state')) return 'deviceState';
  if (topic.endsWith('/passback')) return 'passbackShare';
  throw new Error(`unexpected topic ${topic}`);
}

describe('the AsyncAPI document against a real validator on the wire', { timeout: 120_000 }, () => {
  it('describes every batch, state and passback share the validator publishes', async () => {
    const { dir, remove } = await makeTempDir('asyncapi');
    cleanups.push(remove);
    const keys = TestKeys.create(join(dir, 'keys'));
    const gateway = new TestGateway();
    cleanups.push(() => gateway.stop());
    await gateway.start();
    const validator = new ValidatorProcess(await writeConfig(join(dir, 'validator.json'), { stateDir: join(dir, 'state'), keys, mqttUrl: gateway.url }));
    cleanups.push(() => validator.stop());
    await validator.ready();
    await waitUntil('the validator is connected to the broker', async () => (await validator.health()).uplink.connected);

    validator.feed([keys.ticket().text]);
    await tapsLogged(validator, 1);
    validator.feed(['#passage', 'not a ticket']);
    await tapsLogged(validator, 2);
    await waitUntil('the passage is recorded', () => gateway.recordsOf(DEVICE).some((record) => record.kind === 'passage'));
    validator.feed(['#passage']); // no grant left: an alarm event
    await waitUntil('a gate event reaches the gateway', () => gateway.recordsOf(DEVICE).some((record) => record.kind === 'event'));
    await drained(validator, gateway);
    await validator.stop(); // the last will / offline state

    await waitUntil('the offline state arrives', () => gateway.states.get(DEVICE)?.online === false);
    const payloads = new AsyncApiPayloads(JSON.parse(JSON.stringify(buildAsyncApiDocument())));
    const seen = new Set<string>();
    for (const { topic, payload } of gateway.received) {
      if (payload.length === 0) continue; // clearing a retained message
      const message = messageOf(topic);
      seen.add(message);
      const value = JSON.parse(payload.toString()) as { records?: JournalRecord[] };
      for (const record of value.records ?? []) seen.add(`${record.kind}${record.kind === 'tap' ? `:${record.decision}` : ''}`);
      assert.equal(payloads.problems(message, value), '', `${topic}: ${payload.toString().slice(0, 500)}`);
    }
    for (const expected of ['tapBatch', 'deviceState', 'passbackShare', 'loss', 'tap:accept', 'tap:reject', 'passage', 'event']) {
      assert.ok(seen.has(expected), `the run put a ${expected} on the wire (saw ${[...seen].join(', ')})`);
    }
  });
});
