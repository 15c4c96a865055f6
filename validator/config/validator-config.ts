/**
 * Reading and validating the validator's JSON configuration: defaults applied,
 * every error listed as `path: message` (exit code 2 at the CLI).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { Mode } from '../../protocol/ticket/claims.ts';
import type { Direction } from '../../protocol/uplink/tap-record.ts';
import type { RealHardwareConfig } from '../hardware/hardware-config.ts';
import type { GateSettings } from '../gate/gate-settings.ts';
import type { UnanchoredClockPolicy } from '../check/check-settings.ts';
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
  journal: { commitIntervalMs: number; segmentBytes?: number; backlogAlarmRecords?: number; backlogAlarmBytes?: number; ackPersistIntervalMs?: number };
  clock: { trustSystemClock: boolean; maxAnchorAgeHours: number; persistIntervalMs: number };
  fares: { skewSeconds: number; codeWindowSeconds: number; passbackSeconds: number; exitGraceSeconds: number; unanchoredClock: UnanchoredClockPolicy };
  gate: Partial<GateSettings>;
  http: { host: string; port: number };
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[], source: string) {
    super(`invalid configuration in ${source}:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validate = ajv.compile(validatorConfigSchema);

export function parseValidatorConfig(value: unknown, source = 'config'): ValidatorConfig {
  if (!validate(value)) {
    const problems = (validate.errors ?? [])
      // oneOf/if branches repeat their children's errors; the children say more.
      .filter((error) => !['oneOf', 'if'].includes(error.keyword))
      .map((error) => {
        const path = error.instancePath || '/';
        const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
        const allowed =
          error.keyword === 'enum'
            ? ` (${(error.params.allowedValues as unknown[]).join(', ')})`
            : error.keyword === 'const'
              ? ` (${JSON.stringify(error.params.allowedValue)})`
              : '';
        return `${path}: ${error.message ?? 'is invalid'}${extra}${allowed}`;
      });
    throw new ConfigError([...new Set(problems)], source);
  }
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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`], path);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`not valid JSON: ${(error as Error).message}`], path);
  }
  return parseValidatorConfig(value, path);
}
