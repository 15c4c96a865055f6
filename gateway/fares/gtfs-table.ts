/**
 * Reads one GTFS file of a feed into rows keyed by column name, and checks field
 * values, recording every problem with file, line and field instead of stopping.
 */
import { parseCsv } from './csv-table.ts';
import type { FeedProblem } from './feed-problem.ts';

export interface GtfsRow {
  file: string;
  line: number;
  get(field: string): string;
}

export class GtfsReader {
  constructor(
    private readonly files: ReadonlyMap<string, string>,
    readonly problems: FeedProblem[],
  ) {}

  has(file: string): boolean {
    return this.files.has(file);
  }

  columns(file: string): string[] {
    const text = this.files.get(file);
    return text === undefined ? [] : parseCsv(text).header;
  }

  /** Rows of `file`; a missing required file or column is a problem, unknown columns are ignored. */
  read(file: string, requiredColumns: string[], fileRequired: boolean): GtfsRow[] {
    const text = this.files.get(file);
    if (text === undefined) {
      if (fileRequired) this.problems.push({ file, message: 'file is missing' });
      return [];
    }
    const table = parseCsv(text);
    for (const error of table.errors) this.problems.push({ file, line: error.line, message: error.message });
    const position = new Map(table.header.map((name, index) => [name, index]));
    const missing = requiredColumns.filter((column) => !position.has(column));
    for (const column of missing) this.problems.push({ file, line: 1, field: column, message: 'column is missing' });
    if (missing.length > 0) return [];
    return table.records.map((record) => ({
      file,
      line: record.line,
      get: (field: string) => {
        const index = position.get(field);
        return index === undefined ? '' : (record.values[index] ?? '').trim();
      },
    }));
  }

  problem(row: GtfsRow, field: string, message: string): void {
    this.problems.push({ file: row.file, line: row.line, field, message });
  }

  /** A value that must be present. */
  text(row: GtfsRow, field: string): string {
    const value = row.get(field);
    if (value === '') this.problem(row, field, 'is required');
    return value;
  }

  /** An optional whole number within [min, max]; undefined when empty or wrong. */
  integer(row: GtfsRow, field: string, min: number, max: number): number | undefined {
    const value = row.get(field);
    if (value === '') return undefined;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problem(row, field, `"${value}" is not a whole number from ${min} to ${max}`);
      return undefined;
    }
    return Number(value);
  }

  /** HH:MM:SS up to 24:00:00 → seconds; undefined when empty or wrong. */
  timeOfDay(row: GtfsRow, field: string): number | undefined {
    const value = row.get(field);
    if (value === '') return undefined;
    const match = /^(\d{1,2}):([0-5]\d):([0-5]\d)$/.exec(value);
    const seconds = match ? Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) : NaN;
    if (!(seconds <= 86_400)) {
      this.problem(row, field, `"${value}" is not a time HH:MM:SS from 00:00:00 to 24:00:00`);
      return undefined;
    }
    return seconds;
  }

  /** YYYYMMDD → days since 1970-01-01; undefined when wrong. */
  date(row: GtfsRow, field: string): number | undefined {
    const value = this.text(row, field);
    const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
    if (!match) {
      if (value !== '') this.problem(row, field, `"${value}" is not a date YYYYMMDD`);
      return undefined;
    }
    const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    if (new Date(ms).getUTCDate() !== Number(match[3])) {
      this.problem(row, field, `"${value}" is not a calendar date`);
      return undefined;
    }
    return ms / 86_400_000;
  }

  /** Reports a second row with the same key; returns whether the key is new. */
  unique(seen: Set<string>, row: GtfsRow, field: string, key: string): boolean {
    if (seen.has(key)) {
      this.problem(row, field, `"${key}" appears more than once`);
      return false;
    }
    seen.add(key);
    return true;
  }
}
