/**
 * Reading and validating the validator's JSON configuration: defaults applied,
 * every error listed as `path: message` (exit code 2 at the CLI).
 */
import type { Mode } from '../../protocol/ticket/claims.ts';
import type { Direction } from '../../protocol/uplink/tap-record.ts';
import type { RealHardwareConfig } from '../hardware/hardware-config.ts';
import type { GateSettings } from '../gate/gate-settings.ts';
import type { UnanchoredClockPolicy } from '../../protocol/bundles/check-settings.ts';
import { compileConfigSchema, ConfigError, readJsonConfig } from '../../runtime/config-file.ts';
import { validatorConfigSchema } from './config-schema.ts';

export interface ValidatorConfig {
  device: string;
  station: string;
  zone: number;
  mode: Mode;
  direction: Direction;
  stateDir: string;
  rootPublicKeyFile: string;
  seedBundles: { trustList?: string; denyList?: string };
  hardware: 'simulated' | RealHardwareConfig;
  mqtt?: {
    url: string;
    username?: string;
    password?: string;
    passwordFile?: string;
    tls?: { caFile?: string; certFile?: string; keyFile?: string; rejectUnauthorized?: boolean };
    keepaliveSeconds: number;
    reconnectMinMs: number;
    reconnectMaxMs: number;
    batchMaxRecords: number;
    batchMaxDelayMs: number;
    maxInFlightBatches: number;
    ackTimeoutMs: number;
    stateIntervalMs: number;
  };
  journal: { commitIntervalMs: number; maxUncommittedMs: number; segmentBytes?: number; backlogAlarmRecords?: number; backlogAlarmBytes?: number; ackPersistIntervalMs?: number; reserveBlock?: number };
  /** maxBeaconAheadSeconds: a beacon further ahead of the live trusted time is refused. */
  clock: { trustSystemClock: boolean; maxAnchorAgeHours: number; maxBeaconAheadSeconds: number; persistIntervalMs: number };
  fares: { skewSeconds: number; codeWindowSeconds: number; passbackSeconds: number; exitGraceSeconds: number; unanchoredClock: UnanchoredClockPolicy };
  /** Anti-passback shared by the station's gates and kept across restarts. */
  passback: { stationKeyFile?: string; rememberSingleHours: number };
  gate: Partial<GateSettings>;
  http: { host: string; port: number };
  logLevel: string;
}

const schemaProblems = compileConfigSchema(validatorConfigSchema, { useDefaults: true });

export function parseValidatorConfig(value: unknown, source = 'config'): ValidatorConfig {
  const problems = schemaProblems(value);
  if (problems.length > 0) throw new ConfigError(problems, source);
  const config = value as unknown as ValidatorConfig;
  if (config.mqtt && config.mqtt.reconnectMaxMs < config.mqtt.reconnectMinMs) {
    throw new ConfigError(['/mqtt/reconnectMaxMs: must not be below reconnectMinMs'], source);
  }
  if (config.hardware !== 'simulated') {
    // The gate's logical relay 'on' is the unlocked lane; where stop() leaves the gate and
    // where the hardware leaves the relay must agree, or a restart would flip the lane.
    const relaySafeOn = config.hardware.gpio.outputs.relay.safeOn ?? false;
    const failSafe = config.gate.failSafe ?? 'unlocked';
    if (relaySafeOn !== (failSafe === 'unlocked')) {
      throw new ConfigError([`/hardware/gpio/outputs/relay/safeOn: must be ${!relaySafeOn} when gate.failSafe is '${failSafe}' (relay on = lane unlocked)`], source);
    }
  }
  return config;
}

export function loadValidatorConfig(path: string): ValidatorConfig {
  return parseValidatorConfig(readJsonConfig(path), path);
}
