/**
 * Acceptance tests of the validator service (issue: "The validator on the gate"): the
 * real validator process, simulated hardware driven through stdin, against a real MQTT
 * broker on loopback (the gateway's embedded aedes broker, with credentials and the
 * topic ACL) and a test playing the gateway: it records every tap record and acks the
 * highest contiguous seq, as the ledger would.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { denyHashOfTicket, DenySet, signDenyList } from '../../protocol/bundles/deny-list.ts';
import { signFareSettings, signGateCommand, signTimeBeacon } from '../../protocol/bundles/downlink-bundles.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import type { JournalRecord, TapRecord } from '../../protocol/uplink/tap-record.ts';
import { denyEntry } from '../../keys/keyring.ts';
import { KEYS_FILES } from '../../keys/keys-dir.ts';
import { hashPrefix } from '../../runtime/logger.ts';
import { drained, TestGateway } from '../../runtime/testing/test-gateway.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { TestKeys } from '../../runtime/testing/test-keys.ts';
import { DEVICE, writeConfig, type ConfigOptions } from '../../runtime/testing/validator-config-file.ts';
import { tapsLogged, ValidatorProcess, type LogLine } from '../../runtime/testing/validator-process.ts';
import { sleep, waitUntil } from '../../runtime/testing/wait.ts';
import { DEFAULT_MAX_LIFETIME_SECONDS } from '../../protocol/bundles/check-settings.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

interface Setup {
  keys: TestKeys;
  gateway: TestGateway;
  validator: ValidatorProcess;
  dir: string;
}

/** Keys, a broker with the test gateway, and a validator connected to it. */
async function setUp(name: string, options: Pick<ConfigOptions, 'passageTimeoutMs'> & { gatewayReconnectMs?: number } = {}): Promise<Setup> {
  const { dir, remove } = await makeTempDir(name);
  cleanups.push(remove);
  const keys = TestKeys.create(join(dir, 'keys'));
  const gateway = new TestGateway(options.gatewayReconnectMs === undefined ? {} : { reconnectPeriodMs: options.gatewayReconnectMs });
  cleanups.push(() => gateway.stop());
  await gateway.start();
  const config = await writeConfig(join(dir, 'validator.json'), {
    stateDir: join(dir, 'state'),
    keys,
    mqttUrl: gateway.url,
    ...(options.passageTimeoutMs !== undefined && { passageTimeoutMs: options.passageTimeoutMs }),
  });
  const validator = new ValidatorProcess(config);
  cleanups.push(() => validator.stop());
  await validator.ready();
  await waitUntil('the validator is connected to the broker', async () => (await validator.health()).uplink.connected);
  return { keys, gateway, validator, dir };
}

const tapsIn = (records: JournalRecord[]): TapRecord[] => records.filter((record): record is TapRecord => record.kind === 'tap');

describe('the validator process against a real broker', { timeout: 300_000 }, () => {
  it('sends every tap to the gateway, in seq order without a gap, and the gateway acks clear the journal', async () => {
    // Grants outlive any stall of a busy machine; the riders who never walk through time out after it.
    const { keys, gateway, validator } = await setUp('flow', { passageTimeoutMs: 3000 });
    const tickets = Array.from({ length: 20 }, () => keys.ticket());
    const garbage = ['not a ticket', 'FT1:GARBAGE', 'https://example.com/?q=1'];
    validator.feed([tickets[0]!.text, '#passage']); // the first rider walks through: a 'passed' record
    await tapsLogged(validator, 1);
    await waitUntil('the first rider has walked through', () => validator.linesWith('gate state changed').some((line) => line.input === 'passage'));
    validator.feed([...tickets.slice(1, 10).map((t) => t.text), ...garbage, ...tickets.slice(10).map((t) => t.text)]);
    const logged = await tapsLogged(validator, tickets.length + garbage.length);

    const total = await drained(validator, gateway);
    const received = gateway.recordsOf(DEVICE);
    assert.deepEqual(received.map((record) => record.seq), gateway.seqsThrough(DEVICE, total), 'seqs first..N, no gap');
    assert.deepEqual(received[0]?.kind === 'loss' && [received[0].from, received[0].to, received[0].reason], [1, received[0]!.seq - 1, 'state_lost'], 'new storage: everything below its first seq declared lost');
    assert.deepEqual(gateway.taps(DEVICE).conflicts, []);
    assert.deepEqual(gateway.malformed, []);

    const taps = tapsIn(received);
    assert.equal(taps.length, tickets.length + garbage.length, 'one tap record per code');
    assert.deepEqual(
      taps.filter((tap) => tap.decision === 'accept').map((tap) => tap.ticketId),
      tickets.map((ticket) => ticket.ticketId),
      'every ticket accepted once, in the order shown, with its full ticket id',
    );
    assert.deepEqual(
      taps.filter((tap) => tap.decision === 'reject').map((tap) => [tap.reason, tap.ticketId]),
      garbage.map(() => ['malformed', undefined]),
    );
    // What the rider was shown (the log) is what the gateway holds, seq for seq.
    assert.deepEqual(
      logged.map((line) => [line.seq, line.decision, line.reason, line.ticketId]),
      taps.map((tap) => [tap.seq, tap.decision, tap.reason, tap.ticketId === undefined ? undefined : hashPrefix(tap.ticketId)]),
    );
    const outcomes = received.flatMap((record) => (record.kind === 'passage' ? [[record.tapSeq, record.outcome] as const] : []));
    const accepted = taps.filter((tap) => tap.decision === 'accept');
    assert.deepEqual(
      outcomes.map(([tapSeq]) => tapSeq).sort((a, b) => a - b),
      accepted.map((tap) => tap.seq),
      'each accepted tap has exactly one passage outcome',
    );
    assert.equal(outcomes.find(([tapSeq]) => tapSeq === accepted[0]!.seq)?.[1], 'passed', 'the first rider passed');
    const health = await validator.health();
    assert.equal(health.journal.backlogRecords, 0);
    assert.equal(health.journal.acknowledgedSeq, health.journal.committedSeq);
  });

  it('loses and duplicates nothing when the broker restarts in the middle of a stream of taps', async (t) => {
    // The gateway comes back after the validator: batches published in between reach no
    // subscriber and are dropped by the broker, so only the acks can bring them back.
    const { keys, gateway, validator } = await setUp('restart', { gatewayReconnectMs: 1500 });
    const port = gateway.port;
    const codes: string[] = [];
    const ticketIds: string[] = [];
    for (let i = 0; i < 360; i++) {
      if (i % 6 === 5) codes.push(`garbage-${i}`);
      else {
        const ticket = keys.ticket();
        codes.push(ticket.text);
        ticketIds.push(ticket.ticketId);
      }
    }
    const outage = { stoppedAt: 0, restartedAt: 0 };
    // Phases driven by conditions, not by timing: taps stream in before the outage, a third
    // of them are decided while the broker is down, and the rest after it is back.
    const feedInSmallChunks = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i += 6) {
        validator.feed(codes.slice(i, Math.min(i + 6, to)));
        await sleep(40);
      }
    };
    await Promise.all([
      feedInSmallChunks(0, 120),
      (async () => {
        await tapsLogged(validator, 90);
        outage.stoppedAt = Date.now();
        await gateway.stopBroker();
      })(),
    ]);
    await feedInSmallChunks(120, 240);
    await tapsLogged(validator, 240);
    await gateway.start(port); // a new broker on the same port: no session, no retained messages
    outage.restartedAt = Date.now();
    await feedInSmallChunks(240, codes.length);
    const logged = await tapsLogged(validator, codes.length);
    const total = await drained(validator, gateway);

    const taps = gateway.taps(DEVICE);
    const received = gateway.recordsOf(DEVICE);
    assert.deepEqual(received.map((record) => record.seq), gateway.seqsThrough(DEVICE, total), 'distinct seqs are exactly first..max');
    assert.deepEqual(taps.conflicts, [], 'a re-sent record is identical to the first copy');
    assert.deepEqual(gateway.malformed, []);
    const tapRecords = tapsIn(received);
    assert.equal(tapRecords.length, codes.length, 'one tap record per code fed');
    assert.equal(tapRecords.length, logged.length, 'one tap record per tap shown to a rider');
    assert.deepEqual(tapRecords.map((tap) => tap.seq), logged.map((line) => line.seq), 'the taps shown are the taps received');
    const accepted = tapRecords.filter((tap) => tap.decision === 'accept').map((tap) => tap.ticketId);
    assert.equal(new Set(accepted).size, accepted.length, 'no ticket journalled twice');
    assert.deepEqual(accepted, ticketIds);

    // The outage really was in the middle of the stream, and the validator came back.
    const duringOutage = logged.filter((line) => line.time > outage.stoppedAt && line.time < outage.restartedAt).length;
    assert.ok(duringOutage > 0, 'taps were decided while the broker was down');
    assert.ok(logged.some((line) => line.time > outage.restartedAt), 'taps were decided after the restart');
    assert.ok(validator.linesWith('connected to the broker').length >= 2, 'the validator reconnected');
    const health = await validator.health();
    assert.equal(health.uplink.connected, true);
    assert.equal(health.journal.backlogRecords, 0);
    const connects = validator.linesWith('connected to the broker').map((line) => line.time - outage.restartedAt);
    t.diagnostic(
      `${codes.length} codes, ${total} records, ${taps.receptions} receptions (${taps.receptions - total} duplicates), ${duringOutage} taps during the outage; ` +
        `validator (re)connected at ${connects.join(', ')} ms from the restart; ` +
        `${validator.linesWith('no ack in time: re-sending').length} ack timeouts, ${validator.linesWith('batch not published; it will be re-sent').length} failed publishes`,
    );
  });

  it('re-sends a batch lost on the way while taps keep coming, without waiting for a quiet moment', async (t) => {
    const { keys, gateway, validator } = await setUp('lost-batch');
    gateway.dropOnce(3);
    // A steady trickle of riders, one every 250 ms: never a pause as long as the ack timeout.
    let feeding = true;
    const feeder = (async () => {
      while (feeding) {
        validator.feed([keys.ticket().text]);
        await sleep(250);
      }
    })();
    try {
      await waitUntil('the gateway has the third record back while taps keep coming', () => gateway.taps(DEVICE).contiguous >= gateway.nthSeq(DEVICE, 3), {
        timeoutMs: 60_000,
        detail: () => `dropped ${JSON.stringify(gateway.dropped)}, gateway holds ${gateway.taps(DEVICE).records.size} records, contiguous to ${gateway.taps(DEVICE).contiguous}`,
      });
    } finally {
      feeding = false;
      await feeder;
    }
    assert.equal(gateway.dropped.length, 1, 'a batch was lost');
    const total = await drained(validator, gateway);
    assert.deepEqual(gateway.recordsOf(DEVICE).map((record) => record.seq), gateway.seqsThrough(DEVICE, total));
    assert.deepEqual(gateway.taps(DEVICE).conflicts, []);
    t.diagnostic(`lost batch ${JSON.stringify(gateway.dropped[0])}; ${validator.linesWith('no ack in time: re-sending').length} ack timeouts; ${total} records`);
  });

  it('obeys signed downlink bundles: deny list, time beacon, out-of-service; refuses foreign ones', async () => {
    // A passage timeout far longer than the test: the rider granted before the command is still
    // passing however slow the machine is; riders are walked through with #passage instead.
    const { keys, gateway, validator, dir } = await setUp('downlink', { passageTimeoutMs: 300_000 });
    const health = () => validator.health();
    const before = await health();
    assert.deepEqual(before.bundles, { trust: 1, deny: 1 });
    assert.equal(before.clock.status, 'unanchored');

    // Deny list: the operator denies a ticket; the gateway publishes the list, retained.
    const denied = keys.ticket();
    const version = denyEntry(keys.dir, { kind: 'ticket', value: denied.claims.cti, hash: denyHashOfTicket(denied.claims.cti) });
    assert.equal(version, 2);
    await gateway.publish(topics.bundle('deny'), readFileSync(join(keys.dir, KEYS_FILES.denyList)), { retain: true });
    await waitUntil('the deny list v2 is applied', async () => (await health()).bundles.deny === 2);
    let count = validator.taps().length;
    validator.feed([denied.text, keys.ticket().text, '#passage']);
    const [deniedTap, controlTap] = await tapsLogged(validator, count + 2, count);
    assert.deepEqual([deniedTap?.decision, deniedTap?.reason], ['reject', 'revoked']);
    assert.deepEqual([controlTap?.decision, controlTap?.reason], ['accept', 'ok']);

    // Bundles and beacons signed by another root key change nothing.
    const other = TestKeys.create(join(dir, 'other-keys'));
    const issuedAt = Math.floor(Date.now() / 1000);
    await gateway.publish(topics.bundle('deny'), signDenyList({ version: 50, issuedAt, entries: DenySet.fromUnsorted([]) }, other.root), { retain: true });
    await gateway.publish(
      topics.bundle('fares'),
      signFareSettings({ version: 7, issuedAt, skewSeconds: 5, codeWindowSeconds: 30, passbackSeconds: 0, exitGraceSeconds: 60, unanchoredClock: 'reject', maxLifetimeSeconds: DEFAULT_MAX_LIFETIME_SECONDS }, other.root),
      { retain: true },
    );
    await gateway.publish(topics.time(), signTimeBeacon(Date.now(), other.root), { qos: 0 });
    await waitUntil('the foreign bundles and beacon are refused', () =>
      validator.linesWith('deny bundle refused').length > 0 &&
      validator.linesWith('fares bundle refused').length > 0 &&
      validator.linesWith('time beacon dropped').some((line) => line.reason === 'invalid'),
    );
    const afterForeign = await health();
    assert.deepEqual(afterForeign.bundles, { trust: 1, deny: 2 }, 'versions unchanged');
    assert.equal(afterForeign.clock.status, 'unanchored');

    // A signed time beacon anchors the clock (the gateway sends one every few seconds).
    await waitUntil('a signed time beacon anchors the clock', async () => {
      await gateway.publish(topics.time(), signTimeBeacon(Date.now(), keys.root), { qos: 0 });
      return (await health()).clock.status === 'anchored';
    });
    assert.equal((await health()).clock.trusted, true);

    // A beacon from a gateway whose clock is 400 days ahead is dropped (logged with its reason); the clock keeps its time.
    await waitUntil('a far-future beacon is dropped', async () => {
      await gateway.publish(topics.time(), signTimeBeacon(Date.now() + 400 * 86_400_000, keys.root), { qos: 0 });
      return validator.linesWith('time beacon dropped').some((line) => line.reason === 'too-far-ahead');
    });
    assert.deepEqual((await health()).clock, { status: 'anchored', trusted: true, rollbackDetected: false });

    // Out of service, sent while a rider granted just before is still passing.
    count = validator.taps().length;
    validator.feed([keys.ticket().text]);
    await tapsLogged(validator, count + 1);
    assert.equal((await health()).gate, 'unlocked');
    const command = signGateCommand({ version: 1, issuedAt: Math.floor(Date.now() / 1000), device: DEVICE, command: 'out-of-service', reason: 'lane maintenance' }, keys.root);
    await gateway.publish(topics.command(DEVICE), command, { retain: true });
    await waitUntil('the command is applied', async () => (await health()).bundles.command === 1);
    count = validator.taps().length;
    const refused = keys.ticket();
    validator.feed([refused.text]);
    const [refusedTap] = await tapsLogged(validator, count + 1, count);
    assert.deepEqual([refusedTap?.decision, refusedTap?.reason], ['reject', 'out_of_service'], 'the next tap is refused: the lane is out of service');
    validator.feed(['#passage']); // the earlier rider goes through
    await waitUntil('the gate shows out of service', async () => (await health()).gate === 'out-of-service');

    // The gateway holds it all: the refusal (with the anchored clock) and the event with its reason.
    await drained(validator, gateway);
    const received = gateway.recordsOf(DEVICE);
    const refusedRecord = tapsIn(received).find((tap) => tap.seq === refusedTap?.seq);
    assert.deepEqual([refusedRecord?.decision, refusedRecord?.reason, refusedRecord?.clockTrusted], ['reject', 'out_of_service', true]);
    assert.ok(received.some((record) => record.kind === 'event' && record.event === 'out-of-service' && record.detail === 'lane maintenance'));
  });

  it('expires an unused grant alone, credits the next passage to its own tap, and alarms for a passage without a grant', async () => {
    // Long enough that the first grant's expiry reaches the gateway well before the second's,
    // however busy the machine: the two expiries are TIMEOUT / 2 apart.
    const TIMEOUT = 10_000;
    const { keys, gateway, validator } = await setUp('grants', { passageTimeoutMs: TIMEOUT });
    const outcomes = () => gateway.recordsOf(DEVICE).flatMap((record) => (record.kind === 'passage' ? [[record.tapSeq, record.outcome]] : []));
    /** A fresh ticket, accepted: on a loaded machine the journal's health bound may briefly refuse riders. */
    const acceptedTap = async (): Promise<LogLine> => {
      for (let attempt = 1; ; attempt++) {
        const line = await validator.decide(keys.ticket().text);
        if (line.decision === 'accept') return line;
        assert.ok(line.reason === 'out_of_service' && attempt < 10, `a valid ticket was refused: ${String(line.reason)}`);
        await waitUntil('the journal is healthy again', async () => (await validator.health()).journal.fault === null);
      }
    };
    const first = await acceptedTap(); // this rider never walks through
    await sleep(TIMEOUT / 2); // the scenario: the next rider comes half a timeout later
    const second = await acceptedTap();
    await waitUntil('the first grant expires', () => outcomes().length > 0);
    assert.deepEqual(outcomes(), [[first.seq, 'not-used']], 'the first grant expired alone');
    validator.feed(['#passage']);
    await waitUntil('the passage is recorded', () => outcomes().length > 1);
    assert.deepEqual(outcomes(), [[first.seq, 'not-used'], [second.seq, 'passed']]);
    validator.feed(['#passage']); // someone without a ticket, no grant left
    const alarmOf = () => gateway.recordsOf(DEVICE).find((record) => record.kind === 'event' && (record.event === 'tailgating' || record.event === 'forced-passage'));
    await waitUntil('the passage without a grant is an alarm event', () => alarmOf() !== undefined);
    const alarm = alarmOf();
    assert.ok(alarm?.kind === 'event');
    assert.equal(await validator.metric(`faregate_gate_events_total{event="${alarm.event}"}`), 1);
  });

  it('exits with code 2 and lists every bad field of a bad config', async () => {
    const { dir, remove } = await makeTempDir('bad-config');
    cleanups.push(remove);
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({ device: 'gate 1', zone: -1, mode: 'boat', stateDir: dir, rootPublicKeyFile: join(dir, 'root.pub.pem'), hardware: 'simulated', http: { port: 70000 }, colour: 'red' }),
    );
    const validator = new ValidatorProcess(file);
    cleanups.push(() => validator.stop());
    const { code } = await validator.exited;
    assert.equal(code, 2, validator.stderr);
    for (const expected of [
      "/: must have required property 'station'",
      '/: must NOT have additional properties (colour)',
      '/device: must match pattern',
      '/zone: must be >= 0',
      '/mode: must be equal to one of the allowed values (',
      '/http/port: must be <= 65535',
    ]) {
      assert.ok(validator.stderr.includes(expected), `stderr lists "${expected}":\n${validator.stderr}`);
    }
    assert.equal(validator.linesWith('validator running').length, 0);
  });
});
