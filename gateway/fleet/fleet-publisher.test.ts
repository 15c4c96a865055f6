import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import sinon from 'sinon';
import { applyDenyDelta, denyHashOfTicket, openDenyDelta, openDenyList, type DenyList } from '../../protocol/bundles/deny-list.ts';
import { openGateCommand } from '../../protocol/bundles/downlink-bundles.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { initKeys } from '../../keys/keyring.ts';
import { readRootPublicKey } from '../../keys/keys-dir.ts';
import { SqliteLedger } from '../ledger/sqlite-ledger.ts';
import { CommandQueue } from './command-queue.ts';
import { FleetPublisher, type BundlePublisher } from './fleet-publisher.ts';

const logger = pino({ level: 'silent' });

/** A broker's retained store: the last retained payload per topic; an empty one clears it. */
class RetainedBroker implements BundlePublisher {
  readonly retained = new Map<string, Uint8Array>();
  async publish(topic: string, payload: Buffer | Uint8Array, options?: { retain?: boolean }): Promise<void> {
    if (!options?.retain) return;
    if (payload.length === 0) this.retained.delete(topic);
    else this.retained.set(topic, new Uint8Array(payload));
  }
  /** A restart without persistence. */
  restart(): void {
    this.retained.clear();
  }
}

/** Polls a condition on real timers (the republish runs asynchronously after the tick). */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'the condition came true');
}

const ticketRequest = () => {
  const value = randomBytes(16);
  return { kind: 'ticket' as const, value, hash: denyHashOfTicket(value) };
};

describe('fleet publisher: retained state', () => {
  let dir: string;
  let ledger: SqliteLedger;
  let broker: RetainedBroker;
  let fleet: FleetPublisher;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faregate-fleet-'));
    initKeys(join(dir, 'keys'), {});
    ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
    await ledger.start();
    broker = new RetainedBroker();
    fleet = new FleetPublisher({ keysDir: join(dir, 'keys'), timeBeaconIntervalMs: 60_000, fullDenyListDelayMs: 60_000 }, ledger, broker, logger);
    await fleet.start();
  });
  afterEach(async () => {
    await fleet.stop();
    await ledger.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * What a gate connecting now makes of the retained deny topics, holding `held` (or
   * nothing); a delta arriving first waits for the full list (validator bundle store).
   */
  const connectingGate = (held?: DenyList): DenyList => {
    const root = readRootPublicKey(join(dir, 'keys'));
    const fullBytes = broker.retained.get(topics.bundle('deny'));
    const deltaBytes = broker.retained.get(topics.bundle('deny-delta'));
    assert.ok(fullBytes, 'a full deny list is retained');
    const full = openDenyList(fullBytes, root);
    let list = held && held.version > full.version ? held : full;
    if (deltaBytes) {
      const delta = openDenyDelta(deltaBytes, root);
      if (list.version < delta.version) list = applyDenyDelta(list, delta);
    }
    return list;
  };

  it('retains trust, fares and the full deny list from start, and no delta', () => {
    for (const kind of ['trust', 'fares', 'deny'] as const) assert.ok(broker.retained.has(topics.bundle(kind)), kind);
    assert.equal(broker.retained.has(topics.bundle('deny-delta')), false);
  });

  it('after revocations, a gate connecting at any moment gets a deny state it can apply that holds every revocation', async () => {
    const first = ticketRequest();
    const second = ticketRequest();
    const v2 = await fleet.deny(first);
    const afterFirst = connectingGate();
    assert.equal(afterFirst.version, v2);
    assert.ok(afterFirst.entries.has(first.hash));
    const v3 = await fleet.deny(second);
    for (const held of [undefined, afterFirst]) {
      const list = connectingGate(held);
      assert.equal(list.version, v3);
      assert.ok(list.entries.has(first.hash) && list.entries.has(second.hash));
    }
  });

  it('puts everything back after a broker restart without persistence, and clears a delta older than the full list', async () => {
    await fleet.deny(ticketRequest());
    const command = await fleet.command('gate-7', 'out-of-service', 'maintenance');
    const before = new Map(broker.retained);
    broker.restart();
    await fleet.republish('broker connection back');
    assert.deepEqual([...broker.retained.keys()].sort(), [...before.keys()].filter((topic) => topic !== topics.bundle('deny-delta')).sort());
    assert.equal(openGateCommand(broker.retained.get(topics.command('gate-7'))!, readRootPublicKey(join(dir, 'keys'))).version, command);
    assert.equal(connectingGate().version, openDenyList(before.get(topics.bundle('deny'))!, readRootPublicKey(join(dir, 'keys'))).version + 1);
  });

  it('publishes everything again on its timer, so a loss it did not notice heals too', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setInterval', 'clearInterval'], now: Date.now() });
    const timed = new FleetPublisher({ keysDir: join(dir, 'keys'), timeBeaconIntervalMs: 3_600_000, fullDenyListDelayMs: 60_000, republishIntervalMs: 60_000 }, ledger, broker, logger);
    try {
      await timed.start();
      broker.restart();
      clock.tick(60_000);
      await waitFor(() => ['trust', 'fares', 'deny'].every((kind) => broker.retained.has(topics.bundle(kind as 'trust'))));
    } finally {
      await timed.stop();
      clock.restore();
    }
  });

  it('withdraws a command its gate did not collect within the time to live, once', async () => {
    const queue = new CommandQueue(ledger, broker, 60_000, logger);
    await queue.send('gate-9', 1, new Uint8Array([1, 2, 3]));
    assert.deepEqual(await queue.republish(Date.now() + 59_000), { pendingCommands: 1, withdrawnCommands: 0 });
    assert.ok(broker.retained.has(topics.command('gate-9')));
    assert.deepEqual(await queue.republish(Date.now() + 61_000), { pendingCommands: 0, withdrawnCommands: 1 });
    assert.equal(broker.retained.has(topics.command('gate-9')), false);
    assert.deepEqual(await queue.republish(Date.now() + 62_000), { pendingCommands: 0, withdrawnCommands: 0 });
  });
});
