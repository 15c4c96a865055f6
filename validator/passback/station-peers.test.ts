import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import pino from 'pino';
import { encodePassbackShare, parsePassbackShare, passbackKey, type PassbackShare } from '../../protocol/mqtt/station-passback.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { PassbackState } from '../check/passback-state.ts';
import { createValidatorMetrics } from '../service/validator-metrics.ts';
import { StationPeers, SYNC_MARGIN_SECONDS, type PeerLink } from './station-peers.ts';

const KEY = Buffer.alloc(32, 1);
const T = 1_767_225_600;
const TICKET = 'aa'.repeat(16);

class FakeLink implements PeerLink {
  connected = true;
  failNext = false;
  readonly sent: Array<{ topic: string; share: PassbackShare }> = [];
  async publish(topic: string, payload: Buffer): Promise<void> {
    if (this.failNext) throw new Error('connection lost');
    this.sent.push({ topic, share: parsePassbackShare(payload) });
  }
}

let now = T;

async function setup() {
  now = T;
  const state = new PassbackState(1000, (ticketId) => passbackKey(KEY, ticketId));
  const link = new FakeLink();
  const metrics = createValidatorMetrics();
  const peers = new StationPeers({ device: 'gate-1', station: 'central', state, link, metrics, nowSeconds: () => now, memorySeconds: 3600 }, pino({ level: 'silent' }));
  await peers.start();
  const counted = async (name: 'passbackShared' | 'passbackMerged', label: string): Promise<number> =>
    (await metrics[name].get()).values.find((value) => Object.values(value.labels).includes(label))?.value ?? 0;
  return { state, link, peers, counted };
}

describe('station peers', () => {
  it('publishes local accepts as keyed hashes on the station topic after the decision, in one message per burst', async () => {
    const { state, link, counted } = await setup();
    state.recordEntry(TICKET, 'single', 'central', T);
    state.recordEntry('bb'.repeat(16), 'day', 'central', T + 1);
    assert.equal(link.sent.length, 0, 'nothing is published inside the check');
    await nextTurn();
    await nextTurn();
    assert.equal(link.sent.length, 1);
    const { topic, share } = link.sent[0]!;
    assert.equal(topic, topics.stationPassback('central'));
    assert.deepEqual(share.entries, [
      { key: passbackKey(KEY, TICKET), at: T, single: true },
      { key: passbackKey(KEY, 'bb'.repeat(16)), at: T + 1, single: false },
    ]);
    assert.ok(!JSON.stringify(share).includes(TICKET), 'the ticket id never leaves the gate');
    assert.equal(await counted('passbackShared', 'sent'), 2);
  });

  it('merges a peer accept so the same ticket is refused here, and ignores its own echo', async () => {
    const { state, peers, counted } = await setup();
    const share = (device: string): Buffer => encodePassbackShare({ v: 1, device, station: 'central', entries: [{ key: passbackKey(KEY, TICKET), at: T, single: true }] });
    peers.onMessage(share('gate-1'));
    assert.equal(state.blocks(TICKET, 'central', T + 1, 600), false, 'its own echo changes nothing');
    peers.onMessage(share('gate-2'));
    assert.equal(state.blocks(TICKET, 'central', T + 1, 600), true);
    assert.equal(await counted('passbackMerged', 'peer'), 1);
  });

  it('refuses a malformed share or one of another station without throwing', async () => {
    const { state, peers } = await setup();
    peers.onMessage(Buffer.from('{"v":1}'));
    peers.onMessage(encodePassbackShare({ v: 1, device: 'gate-9', station: 'harbour', entries: [{ key: passbackKey(KEY, TICKET), at: T, single: true }] }));
    assert.equal(state.size, 0);
  });

  it('with the uplink down keeps the entry locally and counts it as not shared', async () => {
    const { state, link, counted } = await setup();
    link.connected = false;
    state.recordEntry(TICKET, 'single', 'central', T);
    await nextTurn();
    assert.equal(link.sent.length, 0);
    assert.equal(state.blocks(TICKET, 'central', T + 1, 600), true);
    assert.equal(await counted('passbackShared', 'not_connected'), 1);
    link.connected = true;
    link.failNext = true;
    state.recordEntry('cc'.repeat(16), 'single', 'central', T);
    await nextTurn();
    await nextTurn();
    assert.equal(await counted('passbackShared', 'failed'), 1);
  });
});

describe('station peers refused their topic', () => {
  it('stops publishing where the broker refused the subscription, since a refused publish costs the connection', async () => {
    const { state, link, peers, counted } = await setup();
    peers.onSubscribed([topics.stationPassback('central')]);
    state.recordEntry(TICKET, 'single', 'central', T);
    await nextTurn();
    assert.equal(link.sent.length, 0);
    assert.equal(await counted('passbackShared', 'refused'), 1);
    peers.onSubscribed([]);
    state.recordEntry('dd'.repeat(16), 'single', 'central', T);
    await nextTurn();
    await nextTurn();
    assert.deepEqual(link.sent.map(({ share }) => share.entries.length), [0, 1], 'a sync request on the granted topic, then the entry');
  });
});

describe('station peers catching up', () => {
  it('asks its peers for what they remember on every connection: the whole window after a start, since the link went down after a cut', async () => {
    const { link, peers } = await setup();
    peers.onSubscribed([]);
    peers.onDisconnected();
    now = T + 600;
    peers.onSubscribed([]);
    await nextTurn();
    assert.deepEqual(link.sent.map(({ share }) => [share.syncSince, share.entries.length]), [[T - 3600, 0], [T - SYNC_MARGIN_SECONDS, 0]]);
  });

  it("answers a peer's request with every entry it remembers in the window, its own and merged ones, in shares of 100", async () => {
    const { state, link, peers } = await setup();
    for (let i = 0; i < 150; i++) state.merge({ key: i.toString(16).padStart(32, '0'), station: 'central', enteredAt: T - 10, single: true });
    state.merge({ key: 'f'.repeat(32), station: 'central', enteredAt: T - 7200, single: false });
    state.recordEntry(TICKET, 'single', 'central', T);
    await nextTurn();
    await nextTurn();
    link.sent.length = 0;
    peers.onMessage(encodePassbackShare({ v: 1, device: 'gate-1', station: 'central', entries: [], syncSince: T - 3600 }));
    assert.equal(link.sent.length, 0, 'its own request echoed is not answered');
    peers.onMessage(encodePassbackShare({ v: 1, device: 'gate-2', station: 'central', entries: [], syncSince: T - 3600 }));
    await nextTurn();
    assert.deepEqual(link.sent.map(({ share }) => share.entries.length), [100, 51]);
    const keys = link.sent.flatMap(({ share }) => share.entries.map((entry) => entry.key));
    assert.ok(keys.includes(passbackKey(KEY, TICKET)));
    assert.ok(!keys.includes('f'.repeat(32)), 'entries older than the window stay out');
  });
});
