/**
 * The kill -9 rounds of the tap-integrity acceptance tests (tests only): a real validator
 * process on one state directory, fed codes as a very busy gate sees them, SIGKILLed at a
 * random moment while it decides, and restarted, round after round. Each round keeps what
 * the process said it decided (its 'tap' lines, logged right after the journal append and
 * the gate command) and what it said was durable ('tap committed'); the tests then check
 * those against the journal or the ledger.
 */
import assert from 'node:assert/strict';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { hashPrefix } from '../logger.ts';
import type { TestKeys } from './test-keys.ts';
import { ValidatorProcess, type LogLine } from './validator-process.ts';
import { sleep, waitUntil } from './wait.ts';

export interface KillRound {
  index: number;
  /** seq → the 'tap' line (what the rider was shown). */
  shown: Map<number, LogLine>;
  /** seq → the 'tap committed' line. */
  committed: Map<number, LogLine>;
  killedAt: number;
  fed: number;
}

/** How many codes the feeder may be ahead of the taps the gate has logged. */
const MAX_CODES_AHEAD = 300;

/** Codes as a very busy gate sees them: mostly valid tickets, some unreadable codes, riders passing. */
function codeSource(keys: TestKeys, round: number): () => string[] {
  let n = 0;
  return () => {
    const chunk: string[] = [];
    for (let i = 0; i < 3; i++, n++) {
      if (n % 10 === 7) chunk.push(`unreadable-${round}-${n}`);
      else if (n % 30 === 9) chunk.push('#passage'); // 100 ms apart: each pulse seen past the debounce
      else chunk.push(keys.ticket().text);
    }
    return chunk;
  };
}

/**
 * Starts the validator, feeds it, SIGKILLs it `killAfterMs()` after its first commit.
 * `processes` collects every process started, for the test's cleanup.
 */
export async function runAndKill(configFile: string, keys: TestKeys, index: number, processes: ValidatorProcess[], killAfterMs: () => number): Promise<KillRound> {
  const validator = new ValidatorProcess(configFile);
  processes.push(validator);
  await validator.ready();
  const next = codeSource(keys, index);
  let feeding = true;
  let fed = 0;
  const feeder = (async () => {
    while (feeding) {
      // As fast as the gate decides, never far ahead of it: on a busy machine the flood slows
      // down instead of piling up in the pipe, where the gate would fall ever further behind.
      if (fed - validator.taps().length > MAX_CODES_AHEAD) {
        await sleep(10);
        continue;
      }
      const chunk = next();
      fed += chunk.filter((line) => !line.startsWith('#')).length;
      validator.feed(chunk);
      await sleep(10);
    }
  })();
  let killedAt: number;
  // The feeder stops however this ends: a failed wait must not keep feeding (and the test file alive) forever.
  try {
    await waitUntil(`round ${index}: the first tap is committed`, () => validator.linesWith('tap committed').length > 0, {
      detail: () => `${validator.taps().length} taps shown; stderr: ${validator.stderr}`,
    });
    await sleep(killAfterMs()); // a random moment to kill at, not a wait for something
    killedAt = Date.now();
    validator.kill('SIGKILL');
  } finally {
    feeding = false;
    await feeder;
  }
  const { signal } = await validator.exited;
  assert.equal(signal, 'SIGKILL', `round ${index}: the process died of the kill, not by itself: ${validator.stderr}`);
  const bySeq = (lines: LogLine[]) => new Map(lines.map((line) => [Number(line.seq), line]));
  return { index, shown: bySeq(validator.taps()), committed: bySeq(validator.linesWith('tap committed')), killedAt, fed };
}

/** The record at a shown tap's seq is that tap: same decision, reason and ticket. */
export function sameTap(record: JournalRecord | undefined, shown: LogLine): boolean {
  return (
    record?.kind === 'tap' &&
    record.decision === shown.decision &&
    record.reason === shown.reason &&
    (record.ticketId === undefined ? shown.ticketId === undefined : hashPrefix(record.ticketId) === shown.ticketId)
  );
}

export interface IntegrityOutcome {
  shown: number;
  committed: number;
  /** Shown taps not in the records: each inside a declared loss. */
  lostInDeclared: number;
  /** Declared losses and the seqs they cover. */
  losses: number;
  seqsDeclared: number;
}

/**
 * The acceptance rule of issue 8, over all rounds: no seq was shown twice; every tap a
 * process decided is in `records` with the content it was shown with, or its seq lies
 * inside a declared loss; every tap reported committed is in `records`; no record lies
 * inside a declared loss.
 */
export function checkDecidedTaps(rounds: readonly KillRound[], records: readonly JournalRecord[], losses: ReadonlyArray<{ from: number; to: number }>): IntegrityOutcome {
  const bySeq = new Map(records.map((record) => [record.seq, record]));
  const seen = new Set<number>();
  const inLoss = (seq: number) => losses.some((loss) => loss.from <= seq && seq <= loss.to);
  const outcome: IntegrityOutcome = { shown: 0, committed: 0, lostInDeclared: 0, losses: losses.length, seqsDeclared: losses.reduce((sum, l) => sum + l.to - l.from + 1, 0) };
  for (const round of rounds) {
    for (const [seq, shown] of round.shown) {
      assert.ok(!seen.has(seq), `round ${round.index}: seq ${seq} was issued twice`);
      seen.add(seq);
      outcome.shown++;
      if (sameTap(bySeq.get(seq), shown)) continue;
      assert.equal(bySeq.get(seq), undefined, `round ${round.index}: seq ${seq} holds another record than the tap shown (${JSON.stringify(bySeq.get(seq))})`);
      assert.ok(inLoss(seq), `round ${round.index}: tap seq ${seq} was decided, is not in the records and no declared loss covers it (silently lost)`);
      assert.ok(!round.committed.has(seq), `round ${round.index}: seq ${seq} was reported committed but is gone`);
      outcome.lostInDeclared++;
    }
    outcome.committed += round.committed.size;
  }
  for (const record of records) assert.ok(!inLoss(record.seq), `record ${record.seq} lies inside a declared loss`);
  return outcome;
}
