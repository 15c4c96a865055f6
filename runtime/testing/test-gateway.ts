/**
 * The gateway's side of the MQTT contract, played by a test (tests only): the embedded
 * broker (aedes, with credentials and the topic ACL) on a loopback port, and an mqtt.js
 * client with the service identity that records every tap record it receives and
 * answers each batch with a BatchAck naming the highest contiguous seq received.
 * The broker can be stopped and started again on the same port.
 */
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { EmbeddedBroker } from '../../gateway/broker/embedded-broker.ts';
import type { Principal } from '../../gateway/broker/topic-acl.ts';
import { encodeMessage, parseDeviceState, parseTapBatch, type BatchAck, type DeviceState } from '../../protocol/mqtt/messages.ts';
import { TOPIC_ROOT, topics } from '../../protocol/mqtt/topics.ts';
import type { JournalRecord } from '../../protocol/uplink/tap-record.ts';
import { DEVICE, DEVICE_PASSWORD, SERVICE_PASSWORD, SERVICE_USER } from './validator-config-file.ts';
import type { ValidatorProcess } from './validator-process.ts';
import { waitUntil } from './wait.ts';

const USERS: Record<string, { password: string; principal: Principal }> = {
  [DEVICE]: { password: DEVICE_PASSWORD, principal: { kind: 'device', device: DEVICE, station: 'IT-CENTRAL' } },
  [SERVICE_USER]: { password: SERVICE_PASSWORD, principal: { kind: 'service' } },
};

/** Enough for a contract check; a long test must not keep every batch. */
const MAX_RECEIVED_KEPT = 500;
const ALL_STATION_PASSBACK = `${TOPIC_ROOT}/stations/+/passback`;

const credentials = {
  authenticate: async (username: string, password: string): Promise<Principal | undefined> =>
    USERS[username]?.password === password ? USERS[username]?.principal : undefined,
};

export interface DeviceTaps {
  /** seq → the record as first received, JSON. */
  records: Map<number, string>;
  /** Every reception, re-sends included. */
  receptions: number;
  /** Receptions whose content differed from the first one of the same seq (must stay empty). */
  conflicts: string[];
  /** Highest seq such that 1..seq were all received or declared lost (the ledger's watermark). */
  contiguous: number;
  /** Ranges the device declared lost ('loss' records). */
  losses: Array<[number, number]>;
  /** The lowest seq received: a journal on new storage starts far above 1 (seq-space.ts). */
  firstSeq: number | undefined;
}

export class TestGateway {
  readonly devices = new Map<string, DeviceTaps>();
  readonly malformed: string[] = [];
  /** Batches thrown away on arrival, as a broker under pressure drops messages (first..last seq). */
  readonly dropped: Array<[number, number]> = [];
  /** Positions (1 = the journal's first record) whose first batch is dropped. */
  private dropNth = new Set<number>();
  /** Each device's last retained state, as published. */
  readonly states = new Map<string, DeviceState>();
  /** The latest messages as received, bytes untouched (taps, state, station passback), for contract checks. */
  readonly received: Array<{ topic: string; payload: Buffer }> = [];
  private broker: EmbeddedBroker | undefined;
  private client: MqttClient | undefined;
  private brokerPort = 0;

  /** `reconnectPeriodMs`: how soon the gateway's client retries after losing the broker. */
  constructor(private readonly options: { reconnectPeriodMs?: number } = {}) {}

  get port(): number {
    return this.brokerPort;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.brokerPort}`;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Starts the broker (on `port`, default any free one) and, the first time, the receiving client. */
  async start(port = 0): Promise<void> {
    const broker = new EmbeddedBroker({ host: '127.0.0.1', port }, credentials, pino({ level: 'silent' }));
    await broker.start();
    this.broker = broker;
    this.brokerPort = broker.port;
    if (!this.client) await this.connectClient();
  }

  /** Stops the broker only; the client keeps trying to reconnect, as a gateway would. */
  async stopBroker(): Promise<void> {
    await this.broker?.stop();
    this.broker = undefined;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true).catch(() => undefined);
    this.client = undefined;
    await this.stopBroker();
  }

  taps(device: string): DeviceTaps {
    let taps = this.devices.get(device);
    if (!taps) {
      taps = { records: new Map(), receptions: 0, conflicts: [], contiguous: 0, losses: [], firstSeq: undefined };
      this.devices.set(device, taps);
    }
    return taps;
  }

  /** The first batch that carries the journal's `nth` record is lost on its way (later copies arrive). */
  dropOnce(nth: number): void {
    this.dropNth.add(nth);
  }

  /** The seq of the device's `nth` record (1 = its first), once its first batch arrived. */
  nthSeq(device: string, nth: number): number {
    return (this.taps(device).firstSeq ?? Infinity) + nth - 1;
  }

  /** Every seq from the device's first through `last`: what a complete delivery holds. */
  seqsThrough(device: string, last: number): number[] {
    const first = this.taps(device).firstSeq ?? 1;
    return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
  }

  /** The received records of `device`, parsed, by seq. */
  recordsOf(device: string): JournalRecord[] {
    return [...this.taps(device).records.entries()].sort(([a], [b]) => a - b).map(([, json]) => JSON.parse(json) as JournalRecord);
  }

  /** Publishes as the gateway (bundles, commands, time beacons). */
  async publish(topic: string, payload: Uint8Array, options: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
    if (!this.client) throw new Error('start() first');
    await this.client.publishAsync(topic, Buffer.from(payload), { qos: options.qos ?? 1, retain: options.retain ?? false });
  }

  private async connectClient(): Promise<void> {
    const client = mqtt.connect(this.url, {
      clientId: `test-gateway-${process.pid}`,
      username: SERVICE_USER,
      password: SERVICE_PASSWORD,
      reconnectPeriod: this.options.reconnectPeriodMs ?? 100,
      connectTimeout: 5000,
    });
    this.client = client;
    client.on('error', () => undefined); // reconnects on its own; the tests watch the outcome
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync([topics.allTaps, topics.allStates, ALL_STATION_PASSBACK], { qos: 1 });
  }

  private onMessage(topic: string, payload: Buffer): void {
    this.received.push({ topic, payload });
    if (this.received.length > MAX_RECEIVED_KEPT) this.received.shift();
    if (topic.endsWith('/passback')) return;
    if (topic.endsWith('/state')) {
      try {
        if (payload.length > 0) this.states.set(topic.split('/').at(-2) ?? '', parseDeviceState(payload));
      } catch (error) {
        this.malformed.push(`${topic}: ${(error as Error).message}`);
      }
      return;
    }
    let batch;
    try {
      batch = parseTapBatch(payload);
    } catch (error) {
      this.malformed.push(`${topic}: ${(error as Error).message}`);
      return;
    }
    const taps = this.taps(batch.device);
    const first = taps.firstSeq ?? batch.firstSeq;
    const dropped = [...this.dropNth].find((nth) => first + nth - 1 >= batch.firstSeq && first + nth - 1 <= batch.lastSeq);
    if (dropped !== undefined) {
      this.dropNth.delete(dropped);
      this.dropped.push([batch.firstSeq, batch.lastSeq]);
      return;
    }
    taps.firstSeq = Math.min(first, batch.firstSeq);
    for (const record of batch.records) {
      taps.receptions++;
      const json = JSON.stringify(record);
      const stored = taps.records.get(record.seq);
      if (stored === undefined) taps.records.set(record.seq, json);
      else if (stored !== json) taps.conflicts.push(`seq ${record.seq}: ${stored} then ${json}`);
      if (record.kind === 'loss') taps.losses.push([record.from, record.to]);
    }
    for (;;) {
      const next = taps.contiguous + 1;
      const loss = taps.losses.find(([from, to]) => from <= next && to >= next);
      if (taps.records.has(next)) taps.contiguous = next;
      else if (loss) taps.contiguous = loss[1];
      else break;
    }
    const ack: BatchAck = { v: 1, device: batch.device, ackedThrough: taps.contiguous, status: 'ok' };
    // Not awaited: a lost ack is the validator's to recover from (its ack timeout re-sends).
    this.client?.publishAsync(topics.ack(batch.device), encodeMessage(ack), { qos: 1 }).catch(() => undefined);
  }
}

/**
 * Waits until every journal record reached the gateway and its ack cleared the journal:
 * the gate is idle (no grant pending, so no record still to come), the gateway holds
 * every seq from its first through N = the last seq issued (all below declared lost),
 * and the validator's journal has no backlog.
 */
export async function drained(validator: ValidatorProcess, gateway: TestGateway, timeoutMs = 60_000): Promise<number> {
  let last = '';
  let total = 0;
  await waitUntil(
    'every record is acked and the journal backlog is empty',
    async () => {
      const health = await validator.health();
      const taps = gateway.taps(DEVICE);
      total = health.journal.nextSeq - 1;
      last = JSON.stringify({ gate: health.gate, journal: health.journal, connected: health.uplink.connected, gatewayContiguous: taps.contiguous, gatewayDistinct: taps.records.size });
      return (
        health.gate !== 'unlocked' &&
        total > 0 &&
        taps.contiguous === total &&
        taps.records.size === total - (taps.firstSeq ?? 1) + 1 &&
        health.journal.committedSeq === total &&
        health.journal.acknowledgedSeq === total &&
        health.journal.backlogRecords === 0
      );
    },
    { timeoutMs, intervalMs: 100, detail: () => last },
  );
  return total;
}
