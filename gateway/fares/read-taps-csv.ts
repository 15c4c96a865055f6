/**
 * The taps CSV of the contract (time, account, stop, network, route, direction,
 * category, media). A row that cannot be read is a problem with its line and field;
 * all are reported at once. Unknown stops or networks are not problems here: they
 * become `unrated` legs, so that no tap is ever dropped.
 */
import { isoTimeProblem, parseIsoTimeMs } from '../../runtime/iso-time.ts';
import { parseCsv } from './csv-table.ts';
import { FareInputError, type FeedProblem } from './feed-problem.ts';
import type { Tap } from './tap.ts';

/** The one strict time parser of the CLIs and the API (runtime/iso-time.ts): a zone, and a real date. */
export function parseTapTime(value: string): number | undefined {
  return isoTimeProblem(value) === undefined ? parseIsoTimeMs(value) : undefined;
}

export function parseTapsCsv(text: string, file: string): Tap[] {
  const table = parseCsv(text);
  const problems: FeedProblem[] = table.errors.map((error) => ({ file, line: error.line, message: error.message }));
  const position = new Map(table.header.map((name, index) => [name, index]));
  for (const column of ['time', 'account', 'stop', 'direction']) {
    if (!position.has(column)) problems.push({ file, line: 1, field: column, message: 'column is missing' });
  }
  if (!position.has('network') && !position.has('route')) problems.push({ file, line: 1, field: 'network', message: 'give a network or a route column' });
  if (problems.some((problem) => problem.line === 1)) throw new FareInputError(problems);
  const taps: Tap[] = [];
  for (const record of table.records) {
    const get = (field: string): string => {
      const index = position.get(field);
      return index === undefined ? '' : (record.values[index] ?? '').trim();
    };
    const problem = (field: string, message: string): void => void problems.push({ file, line: record.line, field, message });
    const time = parseTapTime(get('time'));
    if (time === undefined) problem('time', `"${get('time')}" is not an ISO 8601 time with an offset or Z (e.g. 2026-11-27T08:00:00Z): ${isoTimeProblem(get('time'))}`);
    const direction = get('direction');
    if (direction !== 'in' && direction !== 'out') problem('direction', `"${direction}" is not "in" or "out"`);
    if (get('account') === '') problem('account', 'is required');
    if (get('stop') === '') problem('stop', 'is required');
    if (get('network') === '' && get('route') === '') problem('network', 'give a network or a route');
    if (time === undefined || (direction !== 'in' && direction !== 'out')) continue;
    taps.push({ time, account: get('account'), stop: get('stop'), network: get('network'), route: get('route'), direction, category: get('category'), media: get('media'), ref: record.line });
  }
  if (problems.length > 0) throw new FareInputError(problems);
  return taps;
}
