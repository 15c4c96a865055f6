/**
 * The smaller signed bundles of the downlink: fare settings, gate commands and time
 * beacons. Same envelope and rules as the trust and deny lists (signed-bundle.ts).
 */
import type { KeyObject } from 'node:crypto';
import { isUint } from '../ticket/cbor.ts';
import { PRODUCTS } from '../ticket/claims.ts';
import { DEFAULT_MAX_LIFETIME_SECONDS, type ProductLifetimes } from './check-settings.ts';
import { BundleError, openBundle, signBundle, type BundleAnchor, type BundleSigner } from './signed-bundle.ts';

export const FARES_TYPE = 'faregate.fares/1';
export const COMMAND_TYPE = 'faregate.command/1';
export const TIME_TYPE = 'faregate.time/1';

/** The fare-configuration settings validators obey (ticket-format.md). */
export interface FareSettings {
  version: number;
  issuedAt: number;
  skewSeconds: number;
  codeWindowSeconds: number;
  passbackSeconds: number;
  exitGraceSeconds: number;
  unanchoredClock: 'accept-flagged' | 'reject';
  /** Per product, the longest `exp - nbf` a ticket may have (check-settings.ts). */
  maxLifetimeSeconds: ProductLifetimes;
}

export const GATE_COMMANDS = ['out-of-service', 'in-service', 'emergency-open', 'emergency-clear'] as const;
export type GateCommandName = (typeof GATE_COMMANDS)[number];

export interface GateCommand {
  version: number;
  issuedAt: number;
  /** The device it is for; a command for another device is refused. */
  device: string;
  command: GateCommandName;
  reason?: string;
}

/** A signed statement of the gateway's time; `version` is that time in ms, so it only grows. */
export interface TimeBeacon {
  version: number;
  issuedAt: number;
  timeMs: number;
}

const FARE_FIELDS = ['skewSeconds', 'codeWindowSeconds', 'passbackSeconds', 'exitGraceSeconds'] as const;

export function signFareSettings(settings: FareSettings, signer: BundleSigner): Uint8Array {
  const body = new Map<string, unknown>(FARE_FIELDS.map((field) => [field, settings[field]]));
  body.set('unanchoredClock', settings.unanchoredClock);
  body.set('maxLifetime', new Map(PRODUCTS.map((product) => [product, settings.maxLifetimeSeconds[product]])));
  return signBundle({ type: FARES_TYPE, version: settings.version, issuedAt: settings.issuedAt }, body, signer);
}

/** Absent (a bundle from before lifetimes existed) or a product left out: the default. Unknown products are ignored. */
function parseLifetimes(value: unknown): ProductLifetimes {
  if (value === undefined) return DEFAULT_MAX_LIFETIME_SECONDS;
  if (!(value instanceof Map)) throw new BundleError('fare settings maxLifetime must be a map of product to seconds');
  const lifetimes: Record<string, number> = { ...DEFAULT_MAX_LIFETIME_SECONDS };
  for (const product of PRODUCTS) {
    const seconds: unknown = value.get(product);
    if (seconds === undefined) continue;
    if (!isUint(seconds) || seconds === 0) throw new BundleError(`fare settings maxLifetime.${product} must be a positive whole number of seconds`);
    lifetimes[product] = seconds;
  }
  return lifetimes as ProductLifetimes;
}

export function openFareSettings(bytes: Uint8Array, anchor: KeyObject | BundleAnchor): FareSettings {
  const bundle = openBundle(bytes, anchor, FARES_TYPE);
  const values: Record<string, number> = {};
  for (const field of FARE_FIELDS) {
    const value: unknown = bundle.body.get(field);
    if (!isUint(value)) throw new BundleError(`fare settings ${field} must be an unsigned integer`);
    values[field] = value;
  }
  if (values.codeWindowSeconds! > 60) throw new BundleError('fare settings codeWindowSeconds must be at most 60');
  const policy: unknown = bundle.body.get('unanchoredClock');
  if (policy !== 'accept-flagged' && policy !== 'reject') {
    throw new BundleError('fare settings unanchoredClock must be accept-flagged or reject');
  }
  return {
    version: bundle.version,
    issuedAt: bundle.issuedAt,
    maxLifetimeSeconds: parseLifetimes(bundle.body.get('maxLifetime')),
    skewSeconds: values.skewSeconds!,
    codeWindowSeconds: values.codeWindowSeconds!,
    passbackSeconds: values.passbackSeconds!,
    exitGraceSeconds: values.exitGraceSeconds!,
    unanchoredClock: policy,
  };
}

export function signGateCommand(command: GateCommand, signer: BundleSigner): Uint8Array {
  const body = new Map<string, unknown>([
    ['device', command.device],
    ['cmd', command.command],
  ]);
  if (command.reason !== undefined) body.set('reason', command.reason);
  return signBundle({ type: COMMAND_TYPE, version: command.version, issuedAt: command.issuedAt }, body, signer);
}

export function openGateCommand(bytes: Uint8Array, anchor: KeyObject | BundleAnchor): GateCommand {
  const bundle = openBundle(bytes, anchor, COMMAND_TYPE);
  const device: unknown = bundle.body.get('device');
  const command: unknown = bundle.body.get('cmd');
  const reason: unknown = bundle.body.get('reason');
  if (typeof device !== 'string') throw new BundleError('command device must be text');
  if (!(GATE_COMMANDS as readonly unknown[]).includes(command)) throw new BundleError(`command must be one of ${GATE_COMMANDS.join(', ')}`);
  if (reason !== undefined && typeof reason !== 'string') throw new BundleError('command reason must be text');
  const result: GateCommand = { version: bundle.version, issuedAt: bundle.issuedAt, device, command: command as GateCommandName };
  if (reason !== undefined) result.reason = reason;
  return result;
}

export function signTimeBeacon(timeMs: number, signer: BundleSigner): Uint8Array {
  return signBundle({ type: TIME_TYPE, version: timeMs, issuedAt: Math.floor(timeMs / 1000) }, new Map(), signer);
}

export function openTimeBeacon(bytes: Uint8Array, anchor: KeyObject | BundleAnchor): TimeBeacon {
  const bundle = openBundle(bytes, anchor, TIME_TYPE);
  return { version: bundle.version, issuedAt: bundle.issuedAt, timeMs: bundle.version };
}
