/**
 * `npm run bench`: every benchmark, each reporting ratios against a baseline
 * measured in the same run on the same machine, plus medians. Targets are
 * printed as PASS/MISS lines, never asserted in tests (shared, noisy machines).
 */
import { cpus } from 'node:os';
import { benchTicketCheck } from './ticket-check-bench.ts';

console.log(`# Faregate benchmarks — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
console.log('\n## Ticket check');
benchTicketCheck();

console.log('\n## Gate path with the journal');
const { benchGatePath, benchValidatorMemory } = await import('./validator-bench.ts');
await benchGatePath();
console.log('\n## Validator memory');
await benchValidatorMemory();

console.log('\n## Gateway ingest');
const { benchGatewayIngest } = await import('./gateway-bench.ts');
await benchGatewayIngest();
