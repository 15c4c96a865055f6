/**
 * Issue 8 acceptance, in process: the whole validator service (simulated hardware, a real
 * MQTT link to a test gateway with an embedded broker) on a journal disk that fills up or
 * dies on command (FaultyJournalFs, the real file system underneath). The gate must go
 * out of service within the bound, the alarm must reach the gateway, the gate must come
 * back by itself once the disk takes writes again, and nothing committed may be lost.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { TestGateway } from '../../runtime/testing/test-gateway.ts';
import { TestKeys } from '../../runtime/testing/test-keys.ts';
import { DEVICE, DEVICE_PASSWORD } from '../../runtime/testing/validator-config-file.ts';
import { waitUntil } from '../../runtime/testing/wait.ts';
import { parseValidatorConfig } from '../config/validator-config.ts';
import { createSimulatedHardware } from '../hardware/simulated-hardware.ts';
import { FaultyJournalFs } from '../journal/testing/faulty-journal-fs.ts';
import { ValidatorService } from './validator-service.ts';

const BOUND_MS = 1000;
const logger = pino({ level: 'silent' });

describe('the gate when its journal disk fails', { timeout: 120_000 }, () => {
  let dir: string;
  let remove: () => Promise<void>;
  let keys: TestKeys;
  let gateway: TestGateway;
  let disk: FaultyJournalFs;
  let service: ValidatorService;
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  });

  beforeEach(async () => {
    ({ dir, remove } = await makeTempDir('journal-faults'));
    keys = TestKeys.create(join(dir, 'keys'));
    gateway = new TestGateway();
    await gateway.start();
    disk = new FaultyJournalFs();
  });
  afterEach(async () => {
    await service.stop().catch(() => undefined);
    await gateway.stop();
    await remove();
  });

  function makeService(): ValidatorService {
    const config = parseValidatorConfig({
      device: DEVICE,
      station: 'IT-CENTRAL',
      zone: 1,
      mode: 'metro',
      stateDir: join(dir, 'state'),
      rootPublicKeyFile: keys.rootPublicKeyFile,
      seedBundles: keys.seedBundles,
      hardware: 'simulated',
      gate: { passageTimeoutMs: 600 },
      journal: { commitIntervalMs: 5, maxUncommittedMs: BOUND_MS },
      mqtt: { url: gateway.url, username: DEVICE, password: DEVICE_PASSWORD, batchMaxDelayMs: 20, reconnectMinMs: 100, reconnectMaxMs: 500, ackTimeoutMs: 2000, stateIntervalMs: 1000 },
      http: { port: 0 },
    });
    service = new ValidatorService(config, logger, { hardware: createSimulatedHardware(logger), journalFs: disk });
    return service;
  }

  const tap = (): { seq: number | undefined; decision: string; reason: string } => {
    const before = service.journal!.nextSeq;
    const decision = service.pipeline!.onCode(keys.ticket().text);
    return { seq: decision ? before : undefined, decision: decision?.decision ?? 'none', reason: decision?.reason ?? 'none' };
  };

  /** Every record the journal committed is at the gateway, acked, and nothing is left to send. */
  async function delivered(): Promise<JournalRecord[]> {
    await waitUntil(
      'every committed record is acked by the gateway',
      () => {
        const health = service.health();
        return health.gate !== 'unlocked' && health.journal.backlogRecords === 0 && health.journal.acknowledgedSeq === health.journal.committedSeq && health.journal.uncommittedMs === 0;
      },
      { timeoutMs: 60_000, detail: () => JSON.stringify(service.health().journal) },
    );
    const records = gateway.recordsOf(DEVICE);
    assert.deepEqual(records.map((r) => r.seq), gateway.seqsThrough(DEVICE, service.journal!.committedSeq), 'the gateway holds every seq, none missing');
    return records;
  }

  async function failAndRecover(t: { diagnostic(text: string): void }, code: 'ENOSPC' | 'EIO'): Promise<void> {
    await makeService().start();
    const early = [tap(), tap(), tap()];
    await delivered();
    disk.fail(code);
    const failedAt = performance.now();
    const during = tap(); // decided before the fault is seen: admitted, journalled, not durable yet
    assert.equal(during.decision, 'accept');
    await waitUntil('the gate is out of service', () => !service.health().ready, { timeoutMs: 60_000 });
    const closedAfterMs = performance.now() - failedAt;
    const health = service.health();
    assert.equal(health.gate, 'out-of-service');
    assert.match(health.journal.fault ?? '', new RegExp(`uncommitted for \\d+ ms \\(bound ${BOUND_MS} ms\\): ${code}`));
    assert.deepEqual([tap().reason], ['out_of_service'], 'nobody is admitted while the journal is sick');
    await waitUntil('the alarm reaches the gateway', () => gateway.states.get(DEVICE)?.journalFault !== undefined, { timeoutMs: 60_000 });
    const alarmAfterMs = performance.now() - failedAt;

    disk.heal();
    await waitUntil('the gate is back in service by itself', () => service.health().ready, { timeoutMs: 60_000 });
    assert.equal(service.health().gate, 'closed');
    await waitUntil('the gateway hears the fault cleared', () => gateway.states.get(DEVICE)?.journalFault === undefined, { timeoutMs: 60_000 });
    const after = tap();
    assert.equal(after.decision, 'accept');
    const records = await delivered();
    const taps = records.filter((r) => r.kind === 'tap').map((r) => r.seq);
    for (const decided of [...early, during, after]) assert.ok(taps.includes(decided.seq!), `tap ${decided.seq} reached the gateway`);
    assert.deepEqual(records.filter((r) => r.kind === 'loss').map((r) => r.kind === 'loss' && r.reason), ['state_lost'], 'nothing was declared lost but the seqs below a new journal');
    t.diagnostic(`${code}: out of service ${Math.round(closedAfterMs)} ms after the first failed write (bound ${BOUND_MS} ms), alarm at the gateway after ${Math.round(alarmAfterMs)} ms; ${disk.refused} calls refused; ${records.length} records delivered, none lost`);
  }

  it('a full disk (ENOSPC): out of service once a record waits past the bound, the alarm reaches the gateway, back by itself, nothing committed lost', async (t) => {
    await failAndRecover(t, 'ENOSPC');
  });

  it('a dead disk (EIO): the same; and a stop on a dead disk fails, naming the records it could not write', async (t) => {
    await failAndRecover(t, 'EIO');
    disk.fail('EIO');
    tap();
    await assert.rejects(service.stop(), (error: unknown) => {
      const causes = error instanceof AggregateError ? error.errors : [error];
      assert.ok(causes.some((cause) => /\d+ journal records \(seqs \d+\.\.\d+\) were never made durable: EIO/.test((cause as Error).message)), String(causes));
      return true;
    });
  });

  it('a journal that cannot open at start: a closed, alarmed gate that opens once the disk does', async () => {
    disk.fail('EIO');
    await makeService().start();
    const health = service.health();
    assert.equal(health.ready, false);
    assert.equal(health.gate, 'out-of-service');
    assert.match(health.journal.fault ?? '', /^journal cannot open: EIO/);
    assert.equal(tap().decision, 'none', 'no seq, no decision: the code is refused, the lane stays shut');
    await waitUntil('the alarm reaches the gateway', () => /cannot open/.test(gateway.states.get(DEVICE)?.journalFault ?? ''), { timeoutMs: 60_000 });
    disk.heal();
    await waitUntil('the journal opens and the gate returns to service', () => service.health().ready, { timeoutMs: 60_000 });
    assert.equal(tap().decision, 'accept');
    await delivered();
  });

  it('a journal that opens late is read back into anti-passback before the gate admits anyone', async () => {
    await makeService().start();
    const single = keys.singleTicket();
    assert.equal(service.pipeline!.onCode(single.text)?.decision, 'accept');
    await service.stop();
    disk.fail('EIO');
    await makeService().start();
    assert.equal(service.health().ready, false);
    disk.heal();
    await waitUntil('the journal opens and the gate returns to service', () => service.health().ready, { timeoutMs: 15_000 });
    assert.equal(service.pipeline!.onCode(single.text)?.reason, 'passback', 'the single ticket used before the restart stays used');
  });
});
