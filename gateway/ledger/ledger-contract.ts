/**
 * The one contract every Ledger implementation passes (the MQTT.js
 * abstract_store pattern): `sqlite-ledger.test.ts` and
 * `postgres-ledger.engine-test.ts` call `describeLedgerContract` with a factory
 * of fresh stores. The cases live in the contract-*.ts files beside this one.
 */
import { describe } from 'node:test';
import type { MakeLedger } from './contract-fixture.ts';
import { describeClearingContract } from './contract-clearing.ts';
import { describeIngestContract } from './contract-ingest.ts';
import { describeIntegrityContract } from './contract-integrity.ts';
import { describeLifecycleContract } from './contract-lifecycle.ts';
import { describeQueryContract } from './contract-queries.ts';
import { describeTablesContract } from './contract-tables.ts';

export type { HarnessOptions, LedgerHarness, MakeLedger } from './contract-fixture.ts';

export function describeLedgerContract(name: string, makeLedger: MakeLedger): void {
  describe(`Ledger contract: ${name}`, () => {
    describeIngestContract(makeLedger);
    describeIntegrityContract(makeLedger);
    describeQueryContract(makeLedger);
    describeLifecycleContract(makeLedger);
    describeTablesContract(makeLedger);
    describeClearingContract(makeLedger);
  });
}
