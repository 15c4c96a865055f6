/**
 * The fixture of the ledger contract: what an implementation's test provides (a
 * factory of fresh stores) and what every contract case gets (a started ledger).
 */
import { afterEach, beforeEach } from 'node:test';
import type { Ledger } from './ledger.ts';
import type { Migration } from './migrations.ts';

export interface HarnessOptions {
  now?: () => number;
  migrations?: readonly Migration[];
}

/** One fresh, empty store. */
export interface LedgerHarness {
  /** The dialect's shipped migrations, for tests that extend the list. */
  readonly migrations: readonly Migration[];
  /** A new, unstarted ledger on this store; every call opens the same store. */
  open(options?: HarnessOptions): Ledger;
  /** Deletes the store; ledgers opened on it must be stopped first. */
  dispose(): Promise<void>;
}

export type MakeLedger = () => Promise<LedgerHarness>;

/** The fixed clock of contract tests: 2026-03-01T08:00:00Z. */
export const CONTRACT_NOW = 1_772_352_000_000;

export interface LedgerFixture {
  readonly ledger: Ledger;
  readonly harness: LedgerHarness;
}

/** Per test: a fresh store and a started ledger on it, stopped and deleted after the test. */
export function freshLedgerPerTest(makeLedger: MakeLedger): LedgerFixture {
  let harness: LedgerHarness | undefined;
  let ledger: Ledger | undefined;
  beforeEach(async () => {
    harness = await makeLedger();
    ledger = harness.open({ now: () => CONTRACT_NOW });
    await ledger.start();
  });
  afterEach(async () => {
    await ledger?.stop();
    await harness?.dispose();
    ledger = undefined;
    harness = undefined;
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('fixture used outside a test');
    return value;
  };
  return {
    get ledger() {
      return need(ledger);
    },
    get harness() {
      return need(harness);
    },
  };
}
