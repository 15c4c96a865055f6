/**
 * The validator's MQTT connection (mqtt.js): device credentials, optional TLS, a
 * retained online/offline state that is also the last will, re-subscription on every
 * connect, and reconnects with exponential backoff and jitter (mqtt.js's own
 * reconnect is a fixed period, so it is off and this class schedules reconnects).
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffOptions } from './backoff.ts';

export interface MqttLinkOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string; rejectUnauthorized?: boolean };
  keepaliveSeconds: number;
  reconnect: BackoffOptions;
  /** Retained state topic: `online` is published on connect, `offline` is the will. */
  stateTopic: string;
  offlinePayload: () => Buffer;
  subscriptions: string[];
}

export interface LinkEvents {
  onConnect(): void;
  onDisconnect(): void;
  onMessage(topic: string, payload: Buffer): void;
  /** The broker answered the subscriptions; `refused` lists the filters it did not grant. */
  onSubscribed?(refused: string[]): void;
}

export class MqttLink {
  private client: MqttClient | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private stopping = false;
  connectedSince: number | undefined;

  constructor(
    private readonly options: MqttLinkOptions,
    private readonly events: LinkEvents,
    private readonly logger: Logger,
  ) {}

  get connected(): boolean {
    return this.client?.connected === true;
  }

  async start(): Promise<void> {
    const tls = this.options.tls;
    const clientOptions: IClientOptions = {
      clientId: this.options.clientId,
      keepalive: this.options.keepaliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      clean: true,
      queueQoSZero: false,
      will: { topic: this.options.stateTopic, payload: this.options.offlinePayload(), qos: 1, retain: true },
    };
    if (this.options.username !== undefined) clientOptions.username = this.options.username;
    if (this.options.password !== undefined) clientOptions.password = this.options.password;
    if (tls?.caFile) clientOptions.ca = readFileSync(tls.caFile);
    if (tls?.certFile) clientOptions.cert = readFileSync(tls.certFile);
    if (tls?.keyFile) clientOptions.key = readFileSync(tls.keyFile);
    if (tls?.rejectUnauthorized !== undefined) clientOptions.rejectUnauthorized = tls.rejectUnauthorized;
    const client = mqtt.connect(this.options.url, clientOptions);
    this.client = client;
    client.on('connect', () => {
      this.attempts = 0;
      this.connectedSince = Date.now();
      this.logger.info({ url: this.options.url }, 'connected to the broker');
      client.subscribe(this.options.subscriptions, { qos: 1 }, (error, granted) => {
        if (error) return this.logger.error({ err: error }, 'subscribe failed');
        const refused = (granted ?? []).filter((grant) => grant.qos > 2).map((grant) => grant.topic);
        if (refused.length > 0) this.logger.error({ refused }, 'subscriptions refused by the broker (topic ACL)');
        this.events.onSubscribed?.(refused);
      });
      this.events.onConnect();
    });
    client.on('message', (topic, payload) => this.events.onMessage(topic, payload));
    client.on('error', (error) => this.logger.warn({ reason: error.message }, 'broker connection error'));
    client.on('close', () => {
      if (this.connectedSince !== undefined) {
        this.connectedSince = undefined;
        this.events.onDisconnect();
      }
      this.scheduleReconnect();
    });
  }

  /** Publishes with QoS 1 (or as asked); resolves on the broker's PUBACK. */
  async publish(topic: string, payload: Buffer, options: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
    if (!this.client || !this.connected) throw new Error('not connected to the broker');
    await this.client.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false });
  }

  async stop(finalState?: Buffer): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (!client) return;
    if (client.connected && finalState) {
      await Promise.race([
        client.publishAsync(this.options.stateTopic, finalState, { qos: 1, retain: true }).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 1000)),
      ]);
    }
    await client.endAsync(true);
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.reconnectTimer) return;
    const delay = backoffDelay(this.attempts++, this.options.reconnect);
    this.logger.info({ delayMs: delay, attempt: this.attempts }, 'reconnecting to the broker');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopping) this.client?.reconnect();
    }, delay);
  }
}
