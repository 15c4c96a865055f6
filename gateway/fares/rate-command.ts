/**
 * `npm run gateway -- rate --feed DIR --taps FILE.csv [--json] [--out FILE]`: what-if
 * rating of a taps file against a fare feed, with no broker and no ledger. A bad
 * feed or taps file lists every problem and exits with code 2.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseCommandArgs, readTextFile, required, UsageError } from '../../runtime/cli/args.ts';
import { loadFeed } from './load-feed.ts';
import { forEachAccountRating } from './rate-taps.ts';
import { jsonLinesWriter, tableWriter } from './rate-output.ts';
import { parseTapsCsv } from './read-taps-csv.ts';

export const RATE_USAGE = 'rate --feed DIR --taps FILE.csv [--json] [--out FILE]';

/** Lines to a file descriptor (stdout or --out), in chunks. */
class LineSink {
  private chunk = '';

  constructor(private readonly fd: number) {}

  write(line: string): void {
    this.chunk += `${line}\n`;
    if (this.chunk.length > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.chunk !== '') writeSync(this.fd, this.chunk);
    this.chunk = '';
  }
}

function openOut(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (error) {
    throw new UsageError(`--out: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
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
  const fd = values.out === undefined ? 1 : openOut(values.out as string);
  try {
    const sink = new LineSink(fd);
    const write = (line: string): void => sink.write(line);
    const writer = values.json ? jsonLinesWriter(write) : tableWriter(feed, write);
    forEachAccountRating(feed, taps, (rating) => writer.account(rating));
    writer.finish();
    sink.flush();
  } finally {
    if (fd !== 1) closeSync(fd);
  }
}
