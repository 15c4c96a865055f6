/**
 * What the HTTP API sees of the running gateway: a documented contract instead of
 * the service's internals (conventions: homebridge's api.ts).
 */
import type { Registry } from 'prom-client';
import type { Ledger } from '../ledger/ledger.ts';
import type { FareClearing } from '../clearing/fare-clearing.ts';
import type { FleetPublisher } from '../fleet/fleet-publisher.ts';
import type { DeviceCredentials } from '../fleet/device-credentials.ts';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';

export interface GatewayHealth {
  ok: boolean;
  ledger: string;
  broker: { mode: 'embedded' | 'external'; url: string; connected: boolean };
  keysDir: string;
}

export interface GatewayApiContext {
  ledger: Ledger;
  /** Fare clearing, when the gateway has a fare feed. */
  clearing(): FareClearing | undefined;
  fleet: FleetPublisher;
  devices: DeviceCredentials;
  metrics: GatewayMetrics;
  registry: Registry;
  /** The keys directory whose current issuer key signs tickets (keys/keys-dir.ts). */
  keysDir: string;
  /** The `token create` command an operator runs to get a token this gateway accepts (token-hint.ts). */
  tokenCreateCommand: string;
  /** The URL devices should use for MQTT (returned with new credentials). */
  brokerUrl(): string;
  health(): GatewayHealth;
}
