/**
 * `npm run bench`: every benchmark, each reporting ratios against a baseline
 * measured in the same run on the same machine, plus medians. Targets are
 * printed as PASS/MISS lines, never asserted in tests (shared, noisy machines).
 */
import { cpus } from 'node:os';
import { benchTicketCheck } from './ticket-check-bench.ts';

/** `npm run bench -- fares` (or any section names) runs only those sections. */
const only = process.argv.slice(2);
const wants = (section: string): boolean => only.length === 0 || only.includes(section);

console.log(`# Faregate benchmarks — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
if (wants('ticket')) {
  console.log('\n## Ticket check');
  benchTicketCheck();
}

if (wants('validator')) {
  console.log('\n## Gate path with the journal');
  const { benchGatePath, benchValidatorMemory } = await import('./validator-bench.ts');
  await benchGatePath();
  console.log('\n## Validator memory');
  await benchValidatorMemory();
}

if (wants('ingest')) {
  console.log('\n## Gateway ingest');
  const { benchGatewayIngest } = await import('./gateway-bench.ts');
  await benchGatewayIngest();
}

if (wants('fares')) {
  console.log('\n## Fare rating');
  const { benchFares } = await import('./fares-bench.ts');
  benchFares();
}

if (wants('broker')) {
  console.log('\n## Embedded broker memory and limits');
  const { benchBroker } = await import('./broker-bench.ts');
  await benchBroker();
}
