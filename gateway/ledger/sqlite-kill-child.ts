/**
 * The child of the kill -9 durability test (sqlite-ledger.test.ts): ingests
 * batches of `gate-k` in a loop, alternating single batches and groups, and
 * prints each committed batch's last seq only after its commit returned. The
 * parent kills it mid-stream and checks that every printed seq survived.
 *
 * Usage: node --import tsx sqlite-kill-child.ts <db path> <FULL|NORMAL>
 */
import { sampleTaps } from './sample-records.ts';
import { SqliteLedger } from './sqlite-ledger.ts';

const [path, synchronous] = process.argv.slice(2);
if (path === undefined || (synchronous !== 'FULL' && synchronous !== 'NORMAL')) {
  process.stderr.write('usage: sqlite-kill-child.ts <db path> <FULL|NORMAL>\n');
  process.exit(2);
}

const BATCH = 25;
const ledger = new SqliteLedger({ path, synchronous });
await ledger.start();
let next = 1;
for (let round = 0; ; round++) {
  if (round % 2 === 0) {
    await ledger.ingestBatch('gate-k', sampleTaps('gate-k', next, next + BATCH - 1));
    next += BATCH;
  } else {
    const first = next;
    const second = next + BATCH;
    await ledger.ingestBatches([
      { device: 'gate-k', records: sampleTaps('gate-k', first, first + BATCH - 1) },
      { device: 'gate-k', records: sampleTaps('gate-k', second, second + BATCH - 1) },
    ]);
    next += 2 * BATCH;
  }
  // Written to a pipe, which is synchronous on Linux: a printed seq was committed before.
  process.stdout.write(`${next - 1}\n`);
}
