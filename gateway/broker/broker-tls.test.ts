import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { connectOrRefused } from '../../runtime/testing/mqtt-connect.ts';
import { configProblems, writeJsonFile } from '../../runtime/testing/config-problems.ts';
import { loadGatewayConfig, resolveGatewayConfig } from '../config/gateway-config.ts';
import { GatewayService } from '../service/gateway-service.ts';
import { deviceClientId } from './embedded-broker.ts';

describe('TLS for the embedded broker', () => {
  let dir: string;
  let remove: () => Promise<void>;
  before(async () => {
    ({ dir, remove } = await makeTempDir('broker-tls'));
  });
  after(() => remove());

  it('refuses to listen in clear on a non-loopback address unless allowed, for MQTT and HTTP', () => {
    const problems = configProblems(() => loadGatewayConfig(writeJsonFile(dir, 'open.json', { mqtt: { mode: 'embedded', host: '0.0.0.0' }, http: { host: '192.0.2.1' } }), { dataDir: join(dir, 'd1') }));
    assert.ok(problems.some((p) => /^\/mqtt\/host: 0\.0\.0\.0 is not a loopback address: set mqtt\.tls/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /^\/http\/host: 192\.0\.2\.1 is not a loopback address: .*reverse proxy/.test(p)), problems.join('\n'));
    const allowed = { mqtt: { mode: 'embedded', host: '0.0.0.0', allowPlaintext: true }, http: { host: '0.0.0.0', allowPlaintext: true } };
    assert.deepEqual(configProblems(() => loadGatewayConfig(writeJsonFile(dir, 'allowed.json', allowed), { dataDir: join(dir, 'd2') })), []);
    const withTls = { mqtt: { mode: 'embedded', host: '0.0.0.0', tls: {} } };
    assert.deepEqual(configProblems(() => loadGatewayConfig(writeJsonFile(dir, 'tls.json', withTls), { dataDir: join(dir, 'd3') })), []);
    assert.ok(configProblems(() => loadGatewayConfig(writeJsonFile(dir, 'half.json', { mqtt: { mode: 'embedded', tls: { certFile: 'x' } } }), { dataDir: join(dir, 'd4') })).some((p) => /keyFile/.test(p)));
  });

  it('makes a development certificate on the first start and serves mqtts only; a device pinning it connects', async () => {
    const dataDir = join(dir, 'gw');
    const config = resolveGatewayConfig({ mqtt: { mode: 'embedded', tls: {} }, logLevel: 'silent' }, 'test', { dataDir, mqttPort: 0, httpPort: 0 });
    const service = new GatewayService(config, pino({ level: 'silent' }));
    await service.start();
    try {
      assert.match(service.brokerUrl, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
      const keyFile = join(dataDir, 'tls', 'broker-key.pem');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      const { username, password } = await service.devices.register({ id: 'gate-tls', station: 'central', zone: 1, mode: 'metro', direction: 'entry' });
      const ca = readFileSync(join(dataDir, 'tls', 'broker-cert.pem'));
      const device = await connectOrRefused(service.brokerUrl, { username, password, clientId: deviceClientId('gate-tls'), ca });
      assert.equal(device.connected, true);
      await device.endAsync();
      const port = new URL(service.brokerUrl).port;
      await assert.rejects(connectOrRefused(`mqtt://127.0.0.1:${port}`, { username, password, clientId: deviceClientId('gate-tls') }), /closed before CONNACK/);
      await assert.rejects(connectOrRefused(service.brokerUrl, { username, password, clientId: deviceClientId('gate-tls') }), /self[- ]signed|unable to verify/i);
    } finally {
      await service.stop();
    }
  });
});
