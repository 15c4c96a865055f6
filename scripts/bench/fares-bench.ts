/**
 * Fare rating at the scale of one service day of a 1,000-gate network (≥ 2 million
 * taps, 500,000 accounts) in one process, in two ways, each in its own process so
 * that its peak RSS is its own:
 *   - stream: taps arrive grouped by account (as from a ledger query ordered by
 *     account) and are rated one account at a time — clearing's path;
 *   - memory: all taps in one array, grouped and rated (the what-if CLI's path).
 * Each reports wall time and the process's CPU time (the machine is shared: CPU time
 * is what one core spent), against a baseline measured in the same run (producing
 * the taps / grouping and sorting them), plus the time to re-rate one account-day
 * after a late tap. `npm run bench -- fares` runs only this.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compareTaps, type Tap } from '../../gateway/fares/tap.ts';
import { rateAccount } from '../../gateway/fares/rate-account.ts';
import { forEachAccountInOrder, forEachAccountRating, groupByAccount } from '../../gateway/fares/rate-taps.ts';
import { rerateWindow } from '../../gateway/fares/rerate-window.ts';
import type { FareFeed } from '../../gateway/fares/fare-feed.ts';
import { benchAccounts, benchFeed, benchTaps, benchTapStream } from './fares-bench-network.ts';
import { printTable, timeEach, verdict } from './stats.ts';

const ACCOUNTS = 500_000;
const MODE_FLAG = '--fares-child=';

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timed(work: () => void): Timing {
  const cpu = process.cpuUsage();
  const started = performance.now();
  work();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

const median = (values: Timing[], key: keyof Timing): number => values.map((v) => v[key]).sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rate = (taps: number, ms: number): string => Math.round(taps / (ms / 1000)).toLocaleString('en');

function rateAll(feed: FareFeed, rate: (visit: (rating: { totalMinor: number; legs: unknown[] }) => void) => void): { charged: number; legs: number } {
  let charged = 0;
  let legs = 0;
  rate((rating) => {
    charged += rating.totalMinor;
    legs += rating.legs.length;
  });
  return { charged, legs };
}

function report(mode: string, taps: number, baseline: string, floors: Timing[], ratings: Timing[]): number {
  const perCpuSecond = taps / (median(ratings, 'cpuMs') / 1000);
  console.log(`| ${mode}: ${baseline} (baseline) | ${median(floors, 'wallMs').toFixed(0)} | ${median(floors, 'cpuMs').toFixed(0)} | ${rate(taps, median(floors, 'wallMs'))} | ${rate(taps, median(floors, 'cpuMs'))} |`);
  console.log(`| ${mode}: full rating | ${median(ratings, 'wallMs').toFixed(0)} | ${median(ratings, 'cpuMs').toFixed(0)} | ${rate(taps, median(ratings, 'wallMs'))} | ${rate(taps, median(ratings, 'cpuMs'))} |`);
  return perCpuSecond;
}

function header(runs: number): void {
  console.log(`| measurement (median of ${runs}) | wall ms | CPU ms | taps/s wall | taps per CPU-second |`);
  console.log('|---|---:|---:|---:|---:|');
}

function measureRerate(feed: FareFeed): number {
  const sample = new Map<string, Tap[]>();
  let index = 0;
  for (const own of benchAccounts(ACCOUNTS)) if (index++ % 100 === 0) sample.set(own[0]!.account, own);
  const accounts = [...sample.keys()];
  const previous = accounts.map((account) => rateAccount(feed, account, sample.get(account)!));
  const late = accounts.map((account, i): Tap => {
    const last = sample.get(account)!.at(-1)!;
    return { ...last, time: last.time + 5 * 60_000, direction: last.network === 'metro' ? 'out' : 'in', ref: -1 - i };
  });
  const fresh = timeEach('rate one account-day (baseline)', accounts.length, (i) => void rateAccount(feed, accounts[i]!, sample.get(accounts[i]!)!));
  const rerate = timeEach('re-rate one account-day after a late tap (window + rating)', accounts.length, (i) => {
    const window = rerateWindow(feed, late[i]!, previous[i]);
    rateAccount(feed, accounts[i]!, [...sample.get(accounts[i]!)!, late[i]!].filter((tap) => tap.time >= window.rateFrom));
  });
  printTable([fresh, rerate]);
  console.log(verdict('re-rate one account-day ≤ 10 ms (p99)', rerate.p99Us <= 10_000, `median ${rerate.medianUs.toFixed(0)} µs, p99 ${rerate.p99Us.toFixed(0)} µs`));
  return rerate.p99Us;
}

function streamMode(): void {
  const feed = benchFeed();
  const floors: Timing[] = [];
  const ratings: Timing[] = [];
  let taps = 0;
  let result = { charged: 0, legs: 0 };
  for (let run = 0; run < 3; run++) {
    floors.push(timed(() => {
      taps = 0;
      for (const _ of benchTapStream(ACCOUNTS)) taps++;
    }));
    ratings.push(timed(() => (result = rateAll(feed, (visit) => forEachAccountInOrder(feed, benchTapStream(ACCOUNTS), visit)))));
  }
  console.log(`network: 250 metro stations × 4 gates (1,000 gates, 6 zones, tap-out) + 400 bus stops; ${taps.toLocaleString('en')} taps, ${ACCOUNTS.toLocaleString('en')} accounts, one service day`);
  header(3);
  const perCpuSecond = report('stream', taps, 'producing the taps', floors, ratings);
  console.log(`rated ${result.legs.toLocaleString('en')} legs, ${(result.charged / 100).toLocaleString('en')} GBP charged`);
  measureRerate(feed);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(`peak memory, stream (max RSS of the process): ${peakMb.toFixed(0)} MB`);
  console.log(verdict('≥ 200,000 taps rated per CPU-second (one core), stream', perCpuSecond >= 200_000, `${Math.round(perCpuSecond).toLocaleString('en')}/s`));
  console.log(verdict('peak memory ≤ 512 MB, stream', peakMb <= 512, `${peakMb.toFixed(0)} MB`));
}

function memoryMode(): void {
  const feed = benchFeed();
  const taps = benchTaps(ACCOUNTS);
  const rating = timed(() => rateAll(feed, (visit) => forEachAccountRating(feed, taps, visit)));
  // Read before the baseline runs, so that its garbage is not counted.
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const floor = timed(() => {
    const byAccount = groupByAccount(taps);
    for (const account of [...byAccount.keys()].sort()) byAccount.get(account)!.sort(compareTaps);
  });
  header(1);
  const perCpuSecond = report('in memory', taps.length, 'grouping and sorting', [floor], [rating]);
  console.log(`peak memory, all ${taps.length.toLocaleString('en')} taps in memory (max RSS of the process): ${peakMb.toFixed(0)} MB`);
  console.log(verdict('≥ 200,000 taps rated per CPU-second (one core), in memory', perCpuSecond >= 200_000, `${Math.round(perCpuSecond).toLocaleString('en')}/s`));
  console.log(verdict('peak memory ≤ 512 MB, in memory', peakMb <= 512, `${peakMb.toFixed(0)} MB`));
}

export function benchFares(): void {
  for (const mode of ['stream', 'memory']) {
    const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `${MODE_FLAG}${mode}`], { stdio: 'inherit' });
    if (result.status !== 0) console.log(`fares benchmark (${mode}) failed (exit ${result.status ?? result.signal})`);
  }
}

const mode = process.argv.find((arg) => arg.startsWith(MODE_FLAG))?.slice(MODE_FLAG.length);
if (mode === 'stream') streamMode();
else if (mode === 'memory') memoryMode();
