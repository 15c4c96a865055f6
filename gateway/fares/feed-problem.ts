/** Problems found in a fare feed or a taps file: every one is listed, with where it is. */

export interface FeedProblem {
  /** File name inside the feed directory (or the taps file). */
  file: string;
  /** 1-based CSV line; absent for problems of a whole file. */
  line?: number;
  /** CSV column, or the JSON path in fare_policy.json (e.g. `$.caps[1].fare_product_id`). */
  field?: string;
  message: string;
}

export function formatProblem(problem: FeedProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return problem.field === undefined ? `${where}: ${problem.message}` : `${where} ${problem.field}: ${problem.message}`;
}

/** A feed or taps file that cannot be used; `message` lists every problem, one per line. */
export class FareInputError extends Error {
  constructor(readonly problems: FeedProblem[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'FareInputError';
  }
}
