/** The ledger the gateway's configuration names: SQLite (default) or PostgreSQL. Unstarted. */
import type { GatewayConfig } from '../config/gateway-config.ts';
import type { Ledger } from './ledger.ts';
import { PostgresLedger } from './postgres-ledger.ts';
import { SqliteLedger } from './sqlite-ledger.ts';

export function openLedger(config: Pick<GatewayConfig, 'ledger'>): Ledger {
  const ledger = config.ledger;
  return ledger.kind === 'sqlite'
    ? new SqliteLedger({ path: ledger.path })
    : new PostgresLedger({ pool: { connectionString: ledger.connectionString }, ...(ledger.schema && { schema: ledger.schema }) });
}
