/**
 * `npm run gateway -- rate --feed DIR --taps FILE.csv [--json] [--out FILE]`: what-if
 * rating of a taps file against a fare feed, with no broker and no ledger. A bad
 * feed or taps file lists every problem and exits with code 2.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseCommandArgs, readTextFile, required, UsageError } from '../../runtime/cli/args.ts';
import { loadFeed } from './load-feed.ts';
import { rateTaps } from './rate-taps.ts';
import { ratingJsonLines, ratingTableLines } from './rate-output.ts';
import { parseTapsCsv } from './read-taps-csv.ts';

export const RATE_USAGE = 'rate --feed DIR --taps FILE.csv [--json] [--out FILE]';

/** Writes lines in chunks to a file descriptor (stdout or --out). */
function writeLines(fd: number, lines: Iterable<string>): void {
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length > 1 << 16) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  if (chunk !== '') writeSync(fd, chunk);
}

export async function rateCommand(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    feed: { type: 'string' },
    taps: { type: 'string' },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
  });
  const feed = loadFeed(required(values, 'feed'));
  const tapsPath = required(values, 'taps');
  const taps = parseTapsCsv(readTextFile(tapsPath, 'taps'), tapsPath);
  const rating = rateTaps(feed, taps);
  const lines = values.json ? ratingJsonLines(rating) : ratingTableLines(feed, rating);
  if (values.out === undefined) {
    writeLines(1, lines);
    return;
  }
  let fd: number;
  try {
    fd = openSync(values.out as string, 'w');
  } catch (error) {
    throw new UsageError(`--out: cannot write ${values.out as string} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    writeLines(fd, lines);
  } finally {
    closeSync(fd);
  }
}
