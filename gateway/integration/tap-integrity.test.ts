/**
 * Issue 8 acceptance with real processes (the quick ones; 30 kill -9 through to the
 * ledger are in tap-integrity.engine-test.ts): a gate whose state directory is wiped
 * (an SD card swap, a spare unit with the same config) must not lose a record at the
 * gateway, and a second process on a state or data directory must be refused, naming it.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { JournalRecord, LossRecord } from '../../protocol/uplink/tap-record.ts';
import { sameTap } from '../../runtime/testing/kill-rounds.ts';
import { ValidatorProcess, type LogLine } from '../../runtime/testing/validator-process.ts';
import { drained, Feeder, GatewayProcess, metricValue, waitUntil } from './gateway-harness.ts';
import { GatewayWithGates, type Cleanups } from './gateway-with-gates.ts';

const cleanups: Cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

interface Conflicts {
  conflicts: unknown[];
}

/** Feeds `count` codes and waits until the gateway acked the whole journal; returns the decided taps. */
async function decide(validator: ValidatorProcess, fx: GatewayWithGates, count: number): Promise<LogLine[]> {
  const feeder = new Feeder(validator, fx.keys, { perTick: 5, everyMs: 50 });
  await waitUntil(`${count} codes were fed`, () => feeder.fed >= count);
  await feeder.stop();
  await drained(validator, feeder.fed);
  return validator.taps();
}

describe('tap integrity with real processes', { timeout: 150_000 }, () => {
  it('loses no record at the gateway when a gate comes back with a wiped state directory', async (t) => {
    const fx = await GatewayWithGates.start('wiped', cleanups);
    const device = 'gate-w1';
    const config = await fx.register(device, 'ST-W');

    const first = await fx.startValidator(config);
    const before = await decide(first, fx, 40);
    await first.stop();
    assert.equal((await first.exited).code, 0, first.stderr);
    await rm(fx.stateDir(device), { recursive: true, force: true }); // the card is swapped

    const second = await fx.startValidator(config);
    const after = await decide(second, fx, 40);

    const { records } = await fx.api.records(device);
    const bySeq = new Map(records.map((record) => [record.seq, record]));
    for (const shown of [...before, ...after]) {
      assert.ok(sameTap(bySeq.get(Number(shown.seq)), shown), `tap ${String(shown.seq)} decided by the gate is in the ledger as shown`);
    }
    const losses = records.filter((record): record is LossRecord => record.kind === 'loss');
    assert.deepEqual(losses.map((loss) => loss.reason), ['state_lost', 'state_lost'], 'each journal on empty storage declared the seqs below it');
    assert.ok(losses[1]!.seq > Math.max(...before.map((line) => Number(line.seq))), 'the new card counts on above everything the old one used');
    assert.deepEqual(await fx.api.gaps(), [], 'no open gap');
    const declared = await fx.api.request<{ losses: unknown[] }>('GET', `/api/losses?device=${device}`);
    assert.equal(declared.body.losses.length, 2);
    const conflicts = await fx.api.request<Conflicts>('GET', '/api/conflicts');
    assert.deepEqual(conflicts.body.conflicts, [], 'no record was taken for another one');
    assert.equal(await metricValue(fx.addresses.httpUrl, 'faregate_ingest_seq_conflicts_total'), 0);
    const taps = (r: JournalRecord[]) => r.filter((record) => record.kind === 'tap').length;
    t.diagnostic(`wiped state directory: ${before.length} taps before, ${after.length} after; ledger holds ${taps(records)} taps, ${losses.length} declared state_lost, 0 gaps, 0 conflicts`);
  });

  it('refuses a second validator on a state directory and a second gateway on a data directory, naming them (exit 2)', async () => {
    const fx = await GatewayWithGates.start('locks', cleanups);
    const config = await fx.register('gate-l1', 'ST-L');
    const running = await fx.startValidator(config);

    const second = new ValidatorProcess(config);
    cleanups.push(() => second.stop());
    const { code } = await second.exited;
    assert.equal(code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`${fx.stateDir('gate-l1')} is in use by process ${running.pid} \\(validator gate-l1 since`));
    assert.ok((await running.health()).ready, 'the first validator runs on, unharmed');

    const dataDir = join(fx.dir, 'gateway');
    const gateway = new GatewayProcess(['--data-dir', dataDir, '--mqtt-port', '0', '--http-port', '0'], 'second gateway');
    cleanups.push(async () => void (await gateway.stop(3000)));
    assert.equal((await gateway.exited).code, 2, gateway.describe());
    assert.match(gateway.stderr, new RegExp(`${dataDir} is in use by process ${fx.gateway.pid} \\(gateway since`));
  });
});
