/**
 * What the schema cannot see, checked before anything starts so that every problem
 * is listed at once (exit 2): values that contradict each other, and the files and
 * directories the service will read or write (key files, seed bundles, MQTT password
 * and TLS files, the station key, the state directory).
 */
import type { KeyObject } from 'node:crypto';
import { openDenyList } from '../../protocol/bundles/deny-list.ts';
import { openTrustList } from '../../protocol/bundles/trust-list.ts';
import { parsePublicKeyPem } from '../../protocol/ticket/ed25519.ts';
import { readConfigBytes, readConfigFile, writableDirectoryProblem } from '../../runtime/config-paths.ts';
import { MIN_STATION_KEY_CHARS } from '../passback/station-key.ts';
import type { ValidatorConfig } from './validator-config.ts';

/** Values that are valid one by one but not together. */
export function valueProblems(config: ValidatorConfig): string[] {
  const problems: string[] = [];
  if (config.mqtt && config.mqtt.reconnectMaxMs < config.mqtt.reconnectMinMs) {
    problems.push('/mqtt/reconnectMaxMs: must not be below reconnectMinMs');
  }
  if (config.hardware !== 'simulated') {
    // The gate's logical relay 'on' is the unlocked lane; where stop() leaves the gate and
    // where the hardware leaves the relay must agree, or a restart would flip the lane.
    const relaySafeOn = config.hardware.gpio.outputs.relay.safeOn ?? false;
    const failSafe = config.gate.failSafe ?? 'unlocked';
    if (relaySafeOn !== (failSafe === 'unlocked')) {
      problems.push(`/hardware/gpio/outputs/relay/safeOn: must be ${!relaySafeOn} when gate.failSafe is '${failSafe}' (relay on = lane unlocked)`);
    }
    const owners = new Map<number, string>();
    const { outputs, inputs } = config.hardware.gpio;
    for (const [kind, parts] of [['outputs', outputs], ['inputs', inputs]] as const) {
      for (const [name, part] of Object.entries(parts)) {
        const owner = owners.get(part.line);
        if (owner !== undefined) problems.push(`/hardware/gpio/${kind}/${name}/line: GPIO line ${part.line} is already used by ${owner}`);
        else owners.set(part.line, name);
      }
    }
  }
  return problems;
}

type Loose = Record<string, unknown> | undefined;
const field = (object: unknown, key: string): unknown => (typeof object === 'object' && object !== null ? (object as Record<string, unknown>)[key] : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Files and directories the service will use. Takes the raw (possibly schema-invalid)
 * value so that these problems are listed together with the schema's.
 */
export function fileProblems(value: unknown): string[] {
  const problems: string[] = [];
  const read = (path: string, at: string): string | undefined => {
    const result = readConfigFile(path);
    if ('problem' in result) problems.push(`${at}: ${result.problem}`);
    return 'text' in result ? result.text : undefined;
  };
  let root: KeyObject | undefined;
  const rootFile = text(field(value, 'rootPublicKeyFile'));
  const rootPem = rootFile === undefined ? undefined : read(rootFile, '/rootPublicKeyFile');
  if (rootPem !== undefined) {
    try {
      root = parsePublicKeyPem(rootPem, rootFile!);
    } catch (error) {
      problems.push(`/rootPublicKeyFile: ${(error as Error).message}`);
    }
  }
  const seeds = field(value, 'seedBundles') as Loose;
  for (const [key, open] of [['trustList', openTrustList], ['denyList', openDenyList]] as const) {
    const path = text(field(seeds, key));
    if (path === undefined) continue;
    const result = readConfigBytes(path);
    if ('problem' in result) {
      problems.push(`/seedBundles/${key}: ${result.problem}`);
      continue;
    }
    try {
      if (root) open(result.bytes, root);
    } catch (error) {
      problems.push(`/seedBundles/${key}: ${path}: ${(error as Error).message}`);
    }
  }
  const mqtt = field(value, 'mqtt');
  const passwordFile = text(field(mqtt, 'passwordFile'));
  if (passwordFile !== undefined && read(passwordFile, '/mqtt/passwordFile')?.trim() === '') problems.push(`/mqtt/passwordFile: ${passwordFile} is empty`);
  for (const key of ['caFile', 'certFile', 'keyFile']) {
    const path = text(field(field(mqtt, 'tls'), key));
    if (path !== undefined) read(path, `/mqtt/tls/${key}`);
  }
  const stationKeyFile = text(field(field(value, 'passback'), 'stationKeyFile'));
  const stationKey = stationKeyFile === undefined ? undefined : read(stationKeyFile, '/passback/stationKeyFile');
  if (stationKey !== undefined && stationKey.trim().length < MIN_STATION_KEY_CHARS) {
    problems.push(`/passback/stationKeyFile: ${stationKeyFile}: the key must be at least ${MIN_STATION_KEY_CHARS} characters (e.g. openssl rand -hex 32)`);
  }
  const stateDir = text(field(value, 'stateDir'));
  const stateProblem = stateDir === undefined ? undefined : writableDirectoryProblem(stateDir);
  if (stateProblem !== undefined) problems.push(`/stateDir: ${stateProblem}`);
  return problems;
}
