import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { signClockReset } from '../../protocol/bundles/clock-reset.ts';
import { signTimeBeacon } from '../../protocol/bundles/downlink-bundles.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { generateEd25519, signingKeyFrom } from '../../protocol/ticket/ed25519.ts';
import { TrustedClock } from '../time/trusted-clock.ts';
import { DownlinkRouter } from './downlink-router.ts';
import { createValidatorMetrics, type ValidatorMetrics } from './validator-metrics.ts';

const root = signingKeyFrom(generateEd25519().privateKey);
const impostor = signingKeyFrom(generateEd25519().privateKey);
const DAY = 86_400_000;

describe('downlink router: time beacons and clock resets', () => {
  let wallMs: number;
  let monoMs: number;
  let clock: TrustedClock;
  let metrics: ValidatorMetrics;
  let logLines: Array<Record<string, unknown>>;
  let stateChanges: number;
  let router: DownlinkRouter;

  beforeEach(async () => {
    wallMs = Date.parse('2026-11-27T08:00:00Z');
    monoMs = 0;
    const sources = { wallMs: () => wallMs, monotonicMs: () => monoMs };
    const options = { stateFile: join(mkdtempSync(join(tmpdir(), 'faregate-router-')), 'clock.json'), trustSystemClock: false, maxAnchorAgeMs: DAY, maxBeaconAheadMs: 300_000, persistIntervalMs: 60_000 };
    const logger = pino({}, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
    clock = new TrustedClock(options, sources, logger);
    await clock.start();
    metrics = createValidatorMetrics();
    logLines = [];
    stateChanges = 0;
    const unused = () => assert.fail('these tests send no acks or bundles');
    router = new DownlinkRouter(
      {
        device: 'gate-1',
        uplink: { onAck: unused },
        bundles: { receive: unused, anchor: { rootPublicKey: createPublicKey(root.privateKey) } },
        clock,
        metrics,
        onBundlesChanged: () => void (stateChanges += 1),
      },
      logger,
    );
  });
  afterEach(() => clock.stop());

  const beacon = (ms: number, key = root) => Buffer.from(signTimeBeacon(ms, key));
  const advance = (ms: number) => {
    wallMs += ms;
    monoMs += ms;
  };
  const dropped = async () => Object.fromEntries((await metrics.beaconsDropped.get()).values.map((v) => [v.labels.reason, v.value]));
  const dropLogs = () => logLines.filter((line) => line.msg === 'time beacon dropped').map((line) => line.reason);

  it('logs and counts every dropped beacon with its reason', async () => {
    router.onMessage(topics.time(), beacon(wallMs));
    assert.equal(clock.status, 'anchored');
    const first = wallMs;
    router.onMessage(topics.time(), beacon(first)); // delivered twice
    advance(5000);
    router.onMessage(topics.time(), beacon(wallMs + 400 * DAY)); // a gateway with a wrong clock
    advance(55_000);
    router.onMessage(topics.time(), beacon(first + 30_000)); // held back half a minute, then let through
    router.onMessage(topics.time(), beacon(first - 60_000)); // an old one, replayed
    router.onMessage(topics.time(), beacon(first + 30_000)); // an old one, replayed
    router.onMessage(topics.time(), beacon(wallMs, impostor));
    router.onMessage(topics.time(), Buffer.from('not a beacon'));
    assert.deepEqual(await dropped(), { duplicate: 1, 'too-far-ahead': 1, behind: 3, invalid: 2 });
    assert.deepEqual(dropLogs(), ['duplicate', 'too-far-ahead', 'behind', 'behind', 'behind', 'invalid', 'invalid']);
    assert.deepEqual(clock.now(), { seconds: wallMs / 1000, trusted: true });
  });

  it('applies a signed clock reset once, and refuses one the root did not sign', async () => {
    router.onMessage(topics.time(), beacon(wallMs + 400 * DAY)); // cold boot: taken
    clock.now();
    advance(5000);
    router.onMessage(topics.time(), beacon(wallMs));
    assert.deepEqual(await dropped(), { behind: 1 });

    const reset = { version: 2, issuedAt: Math.floor(wallMs / 1000), resetToMs: wallMs };
    router.onMessage(topics.clockReset(), Buffer.from(signClockReset({ ...reset, version: 3 }, impostor)));
    assert.equal((await metrics.bundlesRefused.get()).values.find((v) => v.labels.kind === 'clock-reset')?.value, 1);
    router.onMessage(topics.clockReset(), Buffer.from(signClockReset(reset, root)));
    router.onMessage(topics.clockReset(), Buffer.from(signClockReset(reset, root))); // the retained copy again
    assert.equal((await metrics.clockResets.get()).values[0]?.value, 1);
    assert.equal(stateChanges, 1);
    advance(2000);
    router.onMessage(topics.time(), beacon(wallMs));
    assert.deepEqual(clock.now(), { seconds: wallMs / 1000, trusted: true });
  });
});
