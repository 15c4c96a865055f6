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
import { fileProblems, valueProblems } from './config-checks.ts';
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

/** Validates a parsed config (the schema, then values that contradict each other); throws ConfigError listing every problem. */
export function parseValidatorConfig(value: unknown, source = 'config'): ValidatorConfig {
  return validated(value, source, []);
}

/**
 * Reads, validates and checks a config file before anything starts: schema errors,
 * contradicting values and unreadable files or directories, all listed in one ConfigError.
 */
export function loadValidatorConfig(path: string): ValidatorConfig {
  const value = readJsonConfig(path);
  return validated(value, path, fileProblems(value));
}

function validated(value: unknown, source: string, otherProblems: string[]): ValidatorConfig {
  const schema = schemaProblems(value);
  const problems = [...schema, ...(schema.length === 0 ? valueProblems(value as ValidatorConfig) : []), ...otherProblems];
  if (problems.length > 0) throw new ConfigError(problems, source);
  return value as ValidatorConfig;
}
