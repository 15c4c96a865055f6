/** Timing helpers for `npm run bench`: per-operation samples, medians and tails. */
export interface Summary {
  name: string;
  samples: number;
  medianUs: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
  /** Operations per second on one core, from the mean. */
  perSecond: number;
}

export function summarize(name: string, nanos: Float64Array): Summary {
  const sorted = Float64Array.from(nanos).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! / 1000;
  let total = 0;
  for (const value of sorted) total += value;
  const meanUs = total / sorted.length / 1000;
  return {
    name,
    samples: sorted.length,
    medianUs: at(0.5),
    p99Us: at(0.99),
    maxUs: sorted[sorted.length - 1]! / 1000,
    meanUs,
    perSecond: 1e6 / meanUs,
  };
}

/** Runs `op(i)` `count` times after `warmup` untimed runs and times each call. */
export function timeEach(name: string, count: number, op: (i: number) => void, warmup = Math.min(count, 500)): Summary {
  for (let i = 0; i < warmup; i++) op(i);
  const nanos = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    op(i);
    nanos[i] = Number(process.hrtime.bigint() - start);
  }
  return summarize(name, nanos);
}

const fmt = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

export function printTable(rows: Summary[]): void {
  console.log('| measurement | n | median µs | p99 µs | max µs | per second (1 core) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    console.log(`| ${row.name} | ${row.samples} | ${fmt(row.medianUs)} | ${fmt(row.p99Us)} | ${fmt(row.maxUs)} | ${Math.round(row.perSecond)} |`);
  }
}

export function verdict(label: string, ok: boolean, detail: string): string {
  return `${ok ? 'PASS' : 'MISS'}  ${label}: ${detail}`;
}
