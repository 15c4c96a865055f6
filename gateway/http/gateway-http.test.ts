/** GatewayHttp on a real loopback socket: the one place these tests listen (ephemeral ports only). */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { PortInUseError } from '../broker/embedded-broker.ts';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';
import { GatewayHttp } from './gateway-http.ts';

const logger = pino({ level: 'silent' });

describe('GatewayHttp', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  it('listens on any free port when given 0, serves the API, and stops', async () => {
    const http = new GatewayHttp({ host: '127.0.0.1', port: 0 }, h.ctx, logger);
    assert.equal(http.port, 0);
    await http.start();
    try {
      assert.ok(http.port > 0);
      const health = await fetch(`http://127.0.0.1:${http.port}/healthz`);
      assert.equal(health.status, 200);
      const devices = await fetch(`http://127.0.0.1:${http.port}/api/devices`, { headers: { authorization: `Bearer ${h.token}` } });
      assert.deepEqual(await devices.json(), { devices: [] });
    } finally {
      await http.stop();
    }
    assert.equal(http.port, 0);
  });

  it('fails start() with a clear message when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const http = new GatewayHttp({ host: '127.0.0.1', port }, h.ctx, logger);
    try {
      await assert.rejects(http.start(), (error: Error) => {
        assert.ok(error instanceof PortInUseError);
        assert.equal(error.message, `HTTP port ${port} on 127.0.0.1 is already in use; choose another with --http-port, or 0 for any free port`);
        return true;
      });
      await http.stop(); // nothing to stop: must not throw
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
