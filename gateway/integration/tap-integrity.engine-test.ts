/**
 * Issue 8 acceptance, the long one (npm run test:engines): a real validator connected to a
 * real gateway (embedded broker, SQLite ledger) is killed with SIGKILL 30 times while it
 * decides, restarted on the same state directory each time, and finally left to drain.
 * From the processes' own logs and the ledger (through the API) it proves that no seq was
 * issued twice, every tap reported committed is in the ledger, and every tap a process
 * decided is in the ledger as shown or inside a loss the gate declared — none silently
 * missing, no open gap, no seq conflict.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import type { LossRecord } from '../../protocol/uplink/tap-record.ts';
import { checkDecidedTaps, runAndKill, type KillRound } from '../../runtime/testing/kill-rounds.ts';
import type { ValidatorProcess } from '../../runtime/testing/validator-process.ts';
import { drained } from './gateway-harness.ts';
import { GatewayWithGates, type Cleanups } from './gateway-with-gates.ts';

const KILLS = 30;

const cleanups: Cleanups = [];
const processes: ValidatorProcess[] = [];
after(async () => {
  for (const validator of processes) await validator.stop().catch(() => undefined);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('the validator under kill -9, through to the ledger', () => {
  it(`${KILLS} kills while deciding: every decided tap is in the ledger or inside a declared loss`, { timeout: 900_000 }, async (t) => {
    const fx = await GatewayWithGates.start('kill9-ledger', cleanups);
    const device = 'gate-k1';
    const file = await fx.register(device, 'ST-K');
    // 'tap committed' is a debug line; a commit interval that leaves taps in flight at a kill.
    const config = JSON.parse(await readFile(file, 'utf8')) as { logLevel: string; journal: { commitIntervalMs: number } };
    config.logLevel = 'debug';
    config.journal.commitIntervalMs = 20;
    await writeFile(file, JSON.stringify(config, null, 2));

    const rounds: KillRound[] = [];
    for (let index = 0; index < KILLS; index++) {
      rounds.push(await runAndKill(file, fx.keys, index, processes, () => 300 + Math.floor(Math.random() * 1200)));
    }
    // One more start declares the last round's loss and sends everything still in the journal.
    const last = await fx.startValidator(file);
    processes.push(last);
    await drained(last, 0);
    await last.stop();

    const { records } = await fx.api.records(device, 2000);
    const losses = records.filter((record): record is LossRecord => record.kind === 'loss');
    const { body } = await fx.api.request<{ losses: Array<{ fromSeq: number; toSeq: number; reason: string }> }>('GET', `/api/losses?device=${device}`);
    assert.deepEqual(body.losses.map((l) => [l.fromSeq, l.toSeq]), losses.map((l) => [l.from, l.to]), 'the ledger lists every loss record as a declared loss');
    assert.deepEqual(losses.map((l) => l.reason), ['state_lost', ...Array(KILLS).fill('crash')], 'one declaration per start: new storage, then one per kill');
    const outcome = checkDecidedTaps(rounds, records, losses.slice(1));
    assert.deepEqual(await fx.api.gaps(), [], 'no open gap');
    const conflicts = await fx.api.request<{ conflicts: unknown[] }>('GET', '/api/conflicts');
    assert.deepEqual(conflicts.body.conflicts, []);
    const fed = rounds.reduce((sum, round) => sum + round.fed, 0);
    t.diagnostic(
      `${KILLS} kills; ${fed} codes fed, ${outcome.shown} taps decided, ${outcome.committed} reported committed; ledger: ${records.length} records, ` +
        `${outcome.shown - outcome.lostInDeclared} of the decided taps, ${outcome.lostInDeclared} lost, every one inside one of ${outcome.losses} declared crash losses ` +
        `(${outcome.seqsDeclared} seqs declared); 0 silently missing, 0 gaps, 0 conflicts`,
    );
  });
});
