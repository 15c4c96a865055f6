/**
 * Clearing end to end on embedded defaults (SQLite): real gates → gateway → charges,
 * with a late batch that re-rates a journey (clearing-scenario.ts).
 */
import { after, describe, it } from 'node:test';
import { runClearingScenario } from './clearing-scenario.ts';
import type { Cleanups } from './gateway-with-gates.ts';

const cleanups: Cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('clearing with real gates on SQLite', { timeout: 120_000 }, () => {
  it('charges account taps as they arrive and re-rates the journey when the exit, made while the gateway was down, arrives late', async () => {
    await runClearingScenario('clearing-e2e', cleanups);
  });
});
