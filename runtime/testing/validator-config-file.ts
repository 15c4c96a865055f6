/**
 * A validator config file for the acceptance tests (tests only): the simulated gate
 * `DEVICE`, its MQTT credentials, health on any free port.
 */
import { writeFile } from 'node:fs/promises';
import type { TestKeys } from './test-keys.ts';

export const DEVICE = 'gate-it-1';
export const DEVICE_PASSWORD = 'device-secret';
export const SERVICE_USER = 'test-gateway';
export const SERVICE_PASSWORD = 'service-secret';

export interface ConfigOptions {
  stateDir: string;
  keys: TestKeys;
  mqttUrl?: string;
  logLevel?: 'info' | 'debug';
  commitIntervalMs?: number;
  /** How long an accepted rider has to pass (default here 300 ms: 'not-used' records come quickly). */
  passageTimeoutMs?: number;
  /**
   * How long records may wait for their fdatasync before the gate closes (default here 30 s, not
   * the service's 1 s: on a busy machine a commit can take seconds, and only the journal-fault
   * tests are about that closure).
   */
  maxUncommittedMs?: number;
}

/** Writes a config for the simulated gate `DEVICE`; health on any free port. */
export async function writeConfig(file: string, options: ConfigOptions): Promise<string> {
  const config = {
    device: DEVICE,
    station: 'IT-CENTRAL',
    zone: 1,
    mode: 'metro',
    stateDir: options.stateDir,
    rootPublicKeyFile: options.keys.rootPublicKeyFile,
    seedBundles: options.keys.seedBundles,
    hardware: 'simulated',
    gate: { passageTimeoutMs: options.passageTimeoutMs ?? 300 },
    // A larger seq reservation than the service's 256: extending it waits for the card, and on
    // a busy machine a gate fed hundreds of codes a second would outrun a small block and refuse codes.
    journal: { commitIntervalMs: options.commitIntervalMs ?? 5, maxUncommittedMs: options.maxUncommittedMs ?? 30_000, reserveBlock: 4096 },
    http: { port: 0 },
    logLevel: options.logLevel ?? 'info',
    ...(options.mqttUrl !== undefined && {
      mqtt: {
        url: options.mqttUrl,
        username: DEVICE,
        password: DEVICE_PASSWORD,
        reconnectMinMs: 100,
        reconnectMaxMs: 500,
        ackTimeoutMs: 2000,
        batchMaxRecords: 50,
        stateIntervalMs: 1000,
      },
    }),
  };
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}
