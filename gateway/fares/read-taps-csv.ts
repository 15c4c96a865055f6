/**
 * The taps CSV of the contract (time, account, stop, network, route, direction,
 * category, media). A row that cannot be read is a problem with its line and field;
 * all are reported at once. Unknown stops or networks are not problems here: they
 * become `unrated` legs, so that no tap is ever dropped. Rows become taps as they are
 * read and repeated values share one string, so a large file costs little beyond
 * its taps.
 */
import { isoTimeProblem, parseIsoTimeMs } from '../../runtime/iso-time.ts';
import { readCsv } from './csv-table.ts';
import { FareInputError, type FeedProblem } from './feed-problem.ts';
import type { Tap } from './tap.ts';

const COLUMNS = ['time', 'account', 'stop', 'network', 'route', 'direction', 'category', 'media'] as const;

/** The one strict time parser of the CLIs and the API (runtime/iso-time.ts): a zone, and a real date. */
export function parseTapTime(value: string): number | undefined {
  return isoTimeProblem(value) === undefined ? parseIsoTimeMs(value) : undefined;
}

function headerProblems(header: string[], file: string): FeedProblem[] {
  const problems: FeedProblem[] = [];
  for (const column of ['time', 'account', 'stop', 'direction']) {
    if (!header.includes(column)) problems.push({ file, line: 1, field: column, message: 'column is missing' });
  }
  if (!header.includes('network') && !header.includes('route')) problems.push({ file, line: 1, field: 'network', message: 'give a network or a route column' });
  return problems;
}

export function parseTapsCsv(text: string, file: string): Tap[] {
  const problems: FeedProblem[] = [];
  const taps: Tap[] = [];
  const shared = new Map<string, string>();
  const intern = (value: string): string => {
    const known = shared.get(value);
    if (known !== undefined) return known;
    shared.set(value, value);
    return value;
  };
  let positions: number[] | undefined;
  let headerOk = true;
  const { header, errors } = readCsv(text, (values, line, columns) => {
    if (!positions) {
      positions = COLUMNS.map((column) => columns.indexOf(column));
      headerOk = headerProblems(columns, file).length === 0;
    }
    if (!headerOk) return;
    const get = (column: number): string => (positions![column]! < 0 ? '' : (values[positions![column]!] ?? '').trim());
    const problem = (field: string, message: string): void => void problems.push({ file, line, field, message });
    const time = parseTapTime(get(0));
    if (time === undefined) problem('time', `"${get(0)}" is not an ISO 8601 time with an offset or Z (e.g. 2026-11-27T08:00:00Z): ${isoTimeProblem(get(0))}`);
    const direction = get(5);
    if (direction !== 'in' && direction !== 'out') problem('direction', `"${direction}" is not "in" or "out"`);
    if (get(1) === '') problem('account', 'is required');
    if (get(2) === '') problem('stop', 'is required');
    if (get(3) === '' && get(4) === '') problem('network', 'give a network or a route');
    if (time === undefined || (direction !== 'in' && direction !== 'out') || problems.length > 0) return;
    taps.push({ time, account: intern(get(1)), stop: intern(get(2)), network: intern(get(3)), route: intern(get(4)), direction, category: intern(get(6)), media: intern(get(7)), ref: line });
  });
  if (headerProblems(header, file).length > 0) throw new FareInputError(headerProblems(header, file));
  const found = [...errors.map((error) => ({ file, line: error.line, message: error.message })), ...problems];
  if (found.length > 0) throw new FareInputError(found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return taps;
}
