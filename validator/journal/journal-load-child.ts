/**
 * The process that journal-kill.test.ts kills with SIGKILL: appends taps under load and
 * prints `<seq> <ticketId>` for each one once its `committed` promise resolved — the
 * moment a gate would tell the rider the tap is safe. First line: `start <nextSeq>`.
 * Usage: node --import tsx journal-load-child.ts <journal dir>
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { NO_PAST_SEQS, tapRecord } from './journal-fixtures.ts';
import { TapJournal } from './tap-journal.ts';

const TAPS_PER_TICK = 10;

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: journal-load-child.ts <journal dir>\n');
  process.exit(2);
}

// Small segments, so that kills also land around segment rolls; a reservation far ahead,
// since this load appends thousands of records a millisecond apart, no gate's pace.
const journal = new TapJournal({ dir, commitIntervalMs: 5, segmentBytes: 16 * 1024, wallClock: NO_PAST_SEQS, reserveBlock: 1_000_000 }, pino({ level: 'silent' }));
await journal.start();
// Writes to a pipe are synchronous on Linux: a line printed is a line the test reads,
// even if SIGKILL comes right after.
process.stdout.write(`start ${journal.nextSeq}\n`);

function pump(): void {
  for (let i = 0; i < TAPS_PER_TICK; i++) {
    const ticketId = randomBytes(8).toString('hex');
    const { seq, committed } = journal.append(tapRecord(ticketId));
    void committed.then(() => process.stdout.write(`${seq} ${ticketId}\n`));
  }
  setTimeout(pump, 1);
}
pump();
