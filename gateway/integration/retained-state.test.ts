/**
 * Acceptance test of issue 8 point 7 on embedded defaults, with real processes: the real
 * gateway (aedes inside, SQLite ledger) and real validators.
 * - A command for a gate that is offline survives a restart of the gateway (and with it
 *   of its broker, which keeps nothing) and reaches the gate when it first connects.
 * - After two revocations in a row, before the debounced full deny list goes out, a gate
 *   connecting with no deny list of its own gets a deny state it can apply: it refuses
 *   both revoked tickets (`revoked`) and still accepts others.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { TestKeys } from '../../runtime/testing/test-keys.ts';
import { ValidatorProcess } from '../../runtime/testing/validator-process.ts';
import { GatewayApi, startGateway, waitUntil, writeValidatorConfig, type GatewayProcess } from './gateway-harness.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const STATION = 'RS-STATION';


describe('retained state on embedded defaults', { timeout: 300_000 }, () => {
  it('delivers a command for an offline gate after a gateway restart, and gives a connecting gate an applicable deny state right after revocations', async () => {
    const { dir, remove } = await makeTempDir('retained-state');
    cleanups.push(remove);
    const dataDir = join(dir, 'gateway');
    // The full deny list is debounced for longer than the test: only the retained delta can carry the revocations.
    const configFile = join(dir, 'gateway.json');
    await writeFile(configFile, JSON.stringify({ dataDir, fullDenyListDelayMs: 600_000 }));
    const gateways: GatewayProcess[] = [];
    cleanups.push(async () => {
      for (const gateway of gateways) await gateway.stop(3000);
    });
    const first = await startGateway(['--config', configFile, '--mqtt-port', '0', '--http-port', '0'], { label: 'gateway#1', expectToken: true });
    gateways.push(first.gateway);
    const token = first.addresses.token!;
    const api = new GatewayApi(first.addresses.httpUrl, token);
    const keys = TestKeys.fromDir(join(dataDir, 'keys'));
    const configs = new Map<string, string>();
    for (const device of ['rs-gate-1', 'rs-gate-2']) {
      const mqtt = await api.registerDevice(device, STATION);
      const file = await writeValidatorConfig({ file: join(dir, `${device}.json`), device, station: STATION, stateDir: join(dir, device), keys, mqtt });
      // No deny list installed with the gate: it has only what the broker gives it.
      const config = JSON.parse(await readFile(file, 'utf8')) as { seedBundles: { denyList?: string } };
      delete config.seedBundles.denyList;
      await writeFile(file, JSON.stringify(config));
      configs.set(device, file);
    }

    // rs-gate-1 is offline when the command is sent; the gateway then restarts.
    const sent = await api.request<{ version: number }>('POST', '/api/devices/rs-gate-1/commands', { command: 'out-of-service', reason: 'maintenance' });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.deepEqual(await first.gateway.stop(), { code: 0, signal: null }, first.gateway.describe());
    const { mqttPort, httpPort } = first.addresses;
    const second = await startGateway(['--config', configFile, '--mqtt-port', String(mqttPort), '--http-port', String(httpPort)], { label: 'gateway#2' });
    gateways.push(second.gateway);

    const validators: ValidatorProcess[] = [];
    cleanups.push(async () => void (await Promise.all(validators.map((v) => v.stop()))));
    const startValidator = async (device: string): Promise<ValidatorProcess> => {
      const validator = new ValidatorProcess(configs.get(device)!);
      validators.push(validator);
      await validator.ready();
      return validator;
    };
    const gate1 = await startValidator('rs-gate-1');
    await waitUntil('the offline gate got its command after the gateway restart', async () => (await gate1.health()).gate === 'out-of-service', {
      timeoutMs: 60_000,
      detail: () => JSON.stringify(gate1.linesWith('command bundle applied')),
    });
    assert.equal((await gate1.health()).bundles.command, sent.body.version);

    // Two revocations; the full list stays debounced. A gate connecting now must refuse both.
    const api2 = new GatewayApi(second.addresses.httpUrl, token);
    const revoked = [keys.ticket(), keys.ticket()];
    let latest = 0;
    for (const ticket of revoked) {
      const denied = await api2.request<{ version: number }>('POST', '/api/deny', { ticket: ticket.text, reason: 'test' });
      assert.equal(denied.status, 200, JSON.stringify(denied.body));
      latest = denied.body.version;
    }
    const gate2 = await startValidator('rs-gate-2');
    await waitUntil('the connecting gate holds the newest deny list', async () => (await gate2.health()).bundles.deny === latest, {
      timeoutMs: 60_000,
      detail: () => gate2.lines.filter((line) => /deny/.test(line.msg)).map((line) => `${line.msg} ${JSON.stringify(line.versions ?? line.reason ?? '')}`).join('; '),
    });
    for (const ticket of revoked) assert.deepEqual([(await gate2.decide(ticket.text)).reason], ['revoked']);
    assert.equal((await gate2.decide(keys.ticket().text)).decision, 'accept');
  });
});
