/**
 * The kill -9 test of issue 8 against the journal (the quick one; 30 kills through to a
 * real gateway's ledger are gateway/integration/tap-integrity.engine-test.ts): a real
 * validator process is killed with SIGKILL while it decides, round after round on the
 * same state directory, and restarted each time. From the processes' own logs and the
 * journal left on disk it proves that
 *  - no seq is ever issued twice, across all rounds;
 *  - every tap logged as committed ('tap committed', after its fdatasync) is in the journal;
 *  - every tap a process decided ('tap', logged right after the journal append and the
 *    gate command) is in the journal as shown, or inside a range the next start declared
 *    lost (a 'loss' record, reason 'crash') — none silently missing.
 *
 * Offline (no mqtt section), so nothing is acknowledged and compacted away: the whole
 * history stays in the journal for the final check. SIGKILL keeps the page cache, so
 * this is the process-crash path; power loss is the journal's torn-tail tests' part.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pino from 'pino';
import type { JournalRecord, LossRecord } from '../../protocol/uplink/tap-record.ts';
import { TapJournal } from '../journal/tap-journal.ts';
import type { DeclaredLoss } from '../journal/seq-space.ts';
import { checkDecidedTaps, runAndKill, type KillRound } from '../../runtime/testing/kill-rounds.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { TestKeys } from '../../runtime/testing/test-keys.ts';
import { writeConfig } from '../../runtime/testing/validator-config-file.ts';
import type { ValidatorProcess } from '../../runtime/testing/validator-process.ts';

const ROUNDS = 5;

const processes: ValidatorProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const validator of processes) await validator.stop().catch(() => undefined);
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
});

/** Every record, and the loss this start declares for the last round (no process restarted after it). */
async function readWholeJournal(dir: string): Promise<{ records: JournalRecord[]; lastLoss: DeclaredLoss | undefined }> {
  const journal = new TapJournal({ dir }, pino({ level: 'silent' }));
  await journal.start();
  try {
    const records: JournalRecord[] = [];
    for (let batch = await journal.readFrom(1, 5000); batch.length > 0; batch = await journal.readFrom(batch.at(-1)!.seq + 1, 5000)) {
      records.push(...batch);
    }
    return { records, lastLoss: journal.declaredLoss };
  } finally {
    await journal.stop();
  }
}

describe('the validator under kill -9', () => {
  it('never reissues a seq, keeps every committed tap, and declares every decided tap it lost', { timeout: 300_000 }, async (t) => {
    const { dir, remove } = await makeTempDir('kill9');
    cleanups.push(remove);
    const keys = TestKeys.create(join(dir, 'keys'));
    const stateDir = join(dir, 'state');
    const config = await writeConfig(join(dir, 'validator.json'), { stateDir, keys, logLevel: 'debug', commitIntervalMs: 20 });

    const rounds: KillRound[] = [];
    for (let index = 0; index < ROUNDS; index++) {
      const round = await runAndKill(config, keys, index, processes, () => 500 + Math.floor(Math.random() * 1500));
      assert.ok(round.committed.size > 0, `round ${index}: taps were committed before the kill`);
      rounds.push(round);
    }

    const { records, lastLoss } = await readWholeJournal(join(stateDir, 'journal'));
    const losses = records.filter((record): record is LossRecord => record.kind === 'loss');
    assert.equal(losses[0]?.reason, 'state_lost', 'the first start, on empty storage, declared the seqs below it');
    assert.deepEqual(losses.slice(1).map((loss) => loss.reason), Array(ROUNDS - 1).fill('crash'), 'every restart after a kill declared its possible loss');
    assert.equal(lastLoss?.reason, 'crash', 'opening the journal after the last kill declares that one too');
    const outcome = checkDecidedTaps(rounds, records, [...losses.slice(1), lastLoss!]);
    t.diagnostic(
      `${ROUNDS} kills: ${outcome.shown} taps decided, ${outcome.committed} reported committed; ${outcome.shown - outcome.lostInDeclared} in the journal, ` +
        `${outcome.lostInDeclared} lost, each inside one of ${outcome.losses} declared crash losses (${outcome.seqsDeclared} seqs declared in all)`,
    );
  });
});
