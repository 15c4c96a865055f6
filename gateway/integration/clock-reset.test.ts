/**
 * Acceptance test of issue 8 point 6 with real processes: a gate that took a beacon 400 days
 * ahead (from a gateway with a wrong clock, at a cold boot) stays in the future across
 * restarts and drops every correct beacon, logged and counted. The operator's signed reset,
 * sent through the gateway's API, brings it back; a restart afterwards keeps it back.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from './gateway-harness.ts';
import { GatewayWithGates, type Cleanups } from './gateway-with-gates.ts';

const cleanups: Cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const DEVICE = 'clock-gate-1';
const DROPPED_BEHIND = 'faregate_time_beacons_dropped_total{reason="behind"}';
const DAY = 86_400_000;

describe('a gate pushed into the future', { timeout: 300_000 }, () => {
  it('drops correct beacons (logged, counted) until a signed clock reset, and stays recovered across a restart', async () => {
    const fleet = await GatewayWithGates.start('clock-reset', cleanups);
    const file = await fleet.register(DEVICE, 'CLOCK-STATION');
    // What a gate keeps after taking a beacon from a gateway 400 days ahead.
    const future = Date.now() + 400 * DAY;
    mkdirSync(fleet.stateDir(DEVICE), { recursive: true });
    await writeFile(join(fleet.stateDir(DEVICE), 'clock.json'), JSON.stringify({ highWaterMs: future, lastBeaconMs: future, resetVersion: 0 }));

    const stuck = await fleet.startValidator(file);
    await waitUntil('a correct beacon is dropped as behind the high-water mark', async () => (await stuck.metric(DROPPED_BEHIND)) >= 1, { timeoutMs: 60_000 });
    // The log line may reach this test a moment after the metric.
    await waitUntil('the dropped beacon is logged with its reason', () => stuck.linesWith('time beacon dropped').some((line) => line.reason === 'behind'));
    assert.deepEqual((await stuck.health()).clock, { status: 'unanchored', trusted: false, rollbackDetected: true });

    const { status, body } = await fleet.api.request<{ version: number; resetTo: string }>('POST', '/api/clock/reset', { reason: 'gateway clock was 400 days ahead' });
    assert.equal(status, 200, JSON.stringify(body));
    await waitUntil('the gate applies the reset', () => stuck.linesWith('clock reset by a signed command').length === 1, {
      detail: () => JSON.stringify(stuck.lines.filter((line) => /clock|bundle|downlink/.test(line.msg)).slice(-8)),
    });
    await waitUntil('the next beacon anchors the gate', async () => (await stuck.health()).clock.status === 'anchored', { timeoutMs: 60_000 });
    assert.deepEqual((await stuck.health()).clock, { status: 'anchored', trusted: true, rollbackDetected: false });
    await stuck.stop();

    // The restart reads the reset mark back; the retained reset, delivered again, is not applied twice.
    const restarted = await fleet.startValidator(file);
    assert.equal((await restarted.health()).clock.rollbackDetected, false);
    await waitUntil('a beacon anchors the restarted gate', async () => (await restarted.health()).clock.status === 'anchored', { timeoutMs: 60_000 });
    assert.equal(await restarted.metric('faregate_clock_resets_total'), 0);
    assert.equal(await restarted.metric(DROPPED_BEHIND), 0);
  });
});
