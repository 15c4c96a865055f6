/**
 * What clearing tests share (tests only): taps on the demo feed's network as gates
 * journal them, and a started clearing on a fresh SQLite ledger in a temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { TapRecord } from '../../protocol/uplink/tap-record.ts';
import { loadFeed } from '../fares/fares-api.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { sampleTap } from '../ledger/sample-records.ts';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics/gateway-metrics.ts';
import { FareClearing } from './fare-clearing.ts';

export const DEMO_FEED = fileURLToPath(new URL('../fares/examples/demo-feed/', import.meta.url));

/** An accepted tap at `at` (ISO) of gate `device` at `station` (a demo stop_id). */
export function gateTap(device: string, seq: number, at: string, station: string, overrides: Partial<TapRecord> = {}): TapRecord {
  return sampleTap(device, seq, {
    at: Date.parse(at), station, mode: 'metro', direction: 'entry', decision: 'accept', reason: 'ok', product: 'account', fareClass: 'adult', ...overrides,
  });
}

export interface ClearingHarness {
  ledger: Ledger;
  clearing: FareClearing;
  metrics: GatewayMetrics;
  /** The clock clearing reads as the arrival time of records. */
  clock: { now: number };
  /** Commits records as ingest does, hands them to clearing and waits until they are cleared. */
  deliver(records: TapRecord[]): Promise<void>;
  close(): Promise<void>;
}

export async function clearingHarness(): Promise<ClearingHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'faregate-clearing-'));
  const ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
  await ledger.start();
  const metrics = createGatewayMetrics();
  const clock = { now: Date.parse('2026-11-27T12:00:00Z') };
  const clearing = new FareClearing(ledger, loadFeed(DEMO_FEED), metrics, pino({ level: 'silent' }), {
    minTravelMs: 120_000,
    lateAfterMs: 300_000,
    now: () => clock.now,
  });
  await clearing.start();
  return {
    ledger,
    clearing,
    metrics,
    clock,
    deliver: async (records) => {
      const devices = [...new Set(records.map((r) => r.device))];
      await ledger.ingestBatches(devices.map((device) => ({ device, records: records.filter((r) => r.device === device) })));
      clearing.observe(records);
      await clearing.drain();
    },
    close: async () => {
      await clearing.stop();
      await ledger.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
