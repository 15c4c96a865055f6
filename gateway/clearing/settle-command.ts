/**
 * `npm run gateway -- settle --day YYYY-MM-DD [--format json|csv] [--config FILE] [--data-dir DIR] [--fare-feed DIR]`:
 * the settlement of one service day (settlement.ts), as `GET /api/settlement` gives it,
 * read from the ledger directly, so it runs with the gateway up or down.
 */
import { parseCommandArgs, required, UsageError } from '../../runtime/cli/args.ts';
import { loadGatewayConfig, type GatewayOverrides } from '../config/gateway-config.ts';
import { loadFeed } from '../fares/fares-api.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { buildSettlement } from './settlement.ts';
import { settlementCsv } from './settlement-csv.ts';

export const SETTLE_USAGE = `settle --day YYYY-MM-DD [--format json|csv] [--config FILE] [--data-dir DIR] [--fare-feed DIR]
        the settlement of a service day per agency, with the reconciliation per device`;

function checkDay(day: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) throw new UsageError(`--day "${day}": must be a date in the calendar as YYYY-MM-DD`);
  return day;
}

export async function settleCommand(args: string[], write: (text: string) => void = (text) => void process.stdout.write(text)): Promise<void> {
  const { values } = parseCommandArgs(args, {
    day: { type: 'string' },
    format: { type: 'string', default: 'json' },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    'fare-feed': { type: 'string' },
  });
  const day = checkDay(required(values, 'day'));
  const format = values.format as string;
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format "${format}": must be json or csv`);
  const overrides: GatewayOverrides = {};
  if (values['data-dir'] !== undefined) overrides.dataDir = values['data-dir'] as string;
  if (values['fare-feed'] !== undefined) overrides.fareFeed = values['fare-feed'] as string;
  const config = loadGatewayConfig(values.config as string | undefined, overrides);
  if (config.fares.feedDir === undefined) throw new UsageError('no fare feed: set fares.feedDir in the config or give --fare-feed DIR');
  const feed = loadFeed(config.fares.feedDir);
  const ledger = openLedger(config);
  await ledger.start();
  try {
    const settlement = await buildSettlement(ledger, feed, day, Date.now());
    write(format === 'csv' ? settlementCsv(settlement) : `${JSON.stringify(settlement, null, 2)}\n`);
  } finally {
    await ledger.stop();
  }
}
