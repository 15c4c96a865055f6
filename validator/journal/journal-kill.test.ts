/**
 * The journal survives kill -9 (architecture.md, delivery guarantee): a real child
 * process appends under load and reports each seq once committed; it is killed at
 * random moments, round after round, on the same directory. Every reported tap must
 * then be in the journal, intact, and no seq may ever be issued twice.
 *
 * SIGKILL keeps the page cache, so this proves the process-crash path (torn batches,
 * recovery, seq continuity); power loss is covered by the torn-tail tests in
 * journal-recovery.test.ts together with fdatasync and the directory fsync.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { makeTempDir, NO_PAST_SEQS } from './journal-fixtures.ts';
import { TapJournal } from './tap-journal.ts';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';

const ROUNDS = 5;
const CHILD = fileURLToPath(new URL('./journal-load-child.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

interface Round {
  startSeq: number;
  committed: Map<number, string>;
  killDelayMs: number;
}

/** Runs one child until a random moment after its first committed tap, then SIGKILLs it. */
function runAndKill(dir: string): Promise<Round> {
  const killDelayMs = 50 + Math.floor(Math.random() * 250);
  const round: Round = { startSeq: 0, committed: new Map(), killDelayMs };
  const child = spawn(process.execPath, ['--import', TSX, CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let buffered = '';
  let killTimer: NodeJS.Timeout | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? ''; // a line cut by the kill is not a report
    for (const line of lines) {
      const [first, second] = line.split(' ');
      if (first === 'start') round.startSeq = Number(second);
      else round.committed.set(Number(first), second ?? '');
    }
    if (round.committed.size > 0 && !killTimer) killTimer = setTimeout(() => child.kill('SIGKILL'), killDelayMs);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      if (signal === 'SIGKILL') resolve(round);
      else reject(new Error(`load child exited by itself (code ${code}): ${stderr}`));
    });
  });
}

describe('tap journal under kill -9', () => {
  it('keeps every tap reported as committed and never reissues a seq', { timeout: 300_000 }, async (t) => {
    const { dir, remove } = await makeTempDir();
    try {
      const rounds: Round[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const round = await runAndKill(dir);
        const highestBefore = Math.max(0, ...rounds.flatMap((r) => [...r.committed.keys()]));
        const context = `round ${i}, killed ${round.killDelayMs} ms after its first commit`;
        assert.ok(round.committed.size > 0, context);
        assert.ok(round.startSeq > highestBefore, `${context}: started at ${round.startSeq}, after ${highestBefore}`);
        for (const seq of round.committed.keys()) assert.ok(seq > highestBefore, `${context}: seq ${seq} reissued`);
        rounds.push(round);
      }

      const journal = new TapJournal({ dir, wallClock: NO_PAST_SEQS }, pino({ level: 'silent' }));
      await journal.start();
      const records: JournalRecord[] = [];
      for (let batch = await journal.readFrom(1, 5000); batch.length > 0; ) {
        records.push(...batch);
        batch = await journal.readFrom((batch.at(-1)?.seq ?? 0) + 1, 5000);
      }
      await journal.stop();

      const bySeq = new Map(records.map((record) => [record.seq, record]));
      for (let i = 1; i < records.length; i++) {
        assert.ok((records[i]?.seq ?? 0) > (records[i - 1]?.seq ?? 0), 'seqs in the journal strictly increase');
      }
      for (const record of records) {
        assert.ok(record.kind === 'tap' && record.device === 'gate-0042' && /^[0-9a-f]{16}$/.test(record.ticketId ?? ''), `record ${record.seq} is well formed`);
      }
      for (const [index, round] of rounds.entries()) {
        for (const [seq, ticketId] of round.committed) {
          const record = bySeq.get(seq);
          assert.ok(record, `round ${index}: committed seq ${seq} is missing`);
          assert.equal(record.kind === 'tap' && record.ticketId, ticketId, `round ${index}: seq ${seq} has other content`);
        }
      }
      const reported = rounds.reduce((sum, round) => sum + round.committed.size, 0);
      t.diagnostic(`kill -9: ${ROUNDS} rounds, ${reported} committed taps reported, ${records.length} in the journal, kills at ${rounds.map((r) => r.killDelayMs).join('/')} ms`);
    } finally {
      await remove();
    }
  });
});
