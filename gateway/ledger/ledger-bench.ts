/**
 * Ledger throughput for `npm run bench`: taps/s through `ingestBatches` (the
 * exactly-once path: unique key, watermark, progress rows) against a ceiling of
 * the same store — the same records in the same transactions by the fastest
 * plain INSERT, with no bookkeeping. The ratio is what exactly-once costs.
 * Store factories for both dialects are in ledger-bench-stores.ts.
 */
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import type { DeviceBatch, Ledger } from './ledger.ts';
import { sampleTaps } from './sample-records.ts';

/** A fresh store for one measurement. */
export interface BenchStore {
  /** An unstarted ledger on the store. */
  ledger: Ledger;
  /** The ceiling: one transaction of plain INSERTs into the records table. Needs the ledger started (schema). */
  insertRaw(records: JournalRecord[]): Promise<void>;
  /** Stops whatever insertRaw opened and deletes the store; the ledger is stopped first. */
  dispose(): Promise<void>;
}

export type BenchStoreFactory = () => Promise<BenchStore>;

export interface ThroughputOptions {
  /** Taps in the timed run (rounded down to whole batches). */
  taps: number;
  /** Taps per uplink batch. */
  batchSize: number;
  /** Batches per group commit (one ingestBatches call, one transaction). Default 10. */
  groupSize?: number;
  /** Devices the batches rotate over. Default 50. */
  devices?: number;
}

export interface ThroughputResult {
  taps: number;
  batchSize: number;
  groupSize: number;
  devices: number;
  /** Through ingestBatches. */
  ingestTapsPerSecond: number;
  /** Through insertRaw, the same groups. */
  rawTapsPerSecond: number;
  /** ingest / raw. */
  ratio: number;
}

/** Groups of batches: devices in rotation, each device's seqs contiguous from 1. */
function workload(options: Required<ThroughputOptions>): DeviceBatch[][] {
  const nextSeq = new Map<string, number>();
  const batches: DeviceBatch[] = [];
  const count = Math.floor(options.taps / options.batchSize);
  for (let i = 0; i < count; i++) {
    const device = `bench-${i % options.devices}`;
    const from = nextSeq.get(device) ?? 1;
    batches.push({ device, records: sampleTaps(device, from, from + options.batchSize - 1) });
    nextSeq.set(device, from + options.batchSize);
  }
  const groups: DeviceBatch[][] = [];
  for (let i = 0; i < batches.length; i += options.groupSize) groups.push(batches.slice(i, i + options.groupSize));
  return groups;
}

/** Starts a fresh store, warms it with one untimed group of another device, times `run`, disposes. */
async function timed(factory: BenchStoreFactory, run: (store: BenchStore) => Promise<void>): Promise<number> {
  const store = await factory();
  try {
    await store.ledger.start();
    await store.ledger.ingestBatches([{ device: 'warm-up', records: sampleTaps('warm-up', 1, 100) }]);
    const start = process.hrtime.bigint();
    await run(store);
    return Number(process.hrtime.bigint() - start) / 1e9;
  } finally {
    await store.ledger.stop();
    await store.dispose();
  }
}

export async function measureLedgerThroughput(
  factory: BenchStoreFactory,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const full: Required<ThroughputOptions> = { groupSize: 10, devices: 50, ...options };
  if (!(full.batchSize >= 1 && full.taps >= full.batchSize && full.groupSize >= 1 && full.devices >= 1)) {
    throw new Error('measureLedgerThroughput: need batchSize >= 1, taps >= batchSize, groupSize >= 1, devices >= 1');
  }
  const groups = workload(full);
  const taps = groups.reduce((sum, g) => sum + g.reduce((n, b) => n + b.records.length, 0), 0);
  const ingestSeconds = await timed(factory, async ({ ledger }) => {
    for (const group of groups) await ledger.ingestBatches(group);
  });
  const rawGroups = groups.map((g) => g.flatMap((b) => b.records));
  const rawSeconds = await timed(factory, async (store) => {
    for (const records of rawGroups) await store.insertRaw(records);
  });
  const ingestTapsPerSecond = taps / ingestSeconds;
  const rawTapsPerSecond = taps / rawSeconds;
  return {
    taps,
    batchSize: full.batchSize,
    groupSize: full.groupSize,
    devices: full.devices,
    ingestTapsPerSecond,
    rawTapsPerSecond,
    ratio: ingestTapsPerSecond / rawTapsPerSecond,
  };
}
