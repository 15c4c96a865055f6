/**
 * The gateway's MQTT client: the same mqtt.js code for the embedded broker and for
 * an external one (Mosquitto, EMQX, HiveMQ). MQTT 5 when the broker is external, so
 * several gateway instances can share the tap stream with `$share/<group>/...`.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export interface GatewayClientOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  protocolVersion: 4 | 5;
  subscriptions: string[];
  /**
   * The embedded broker of this very process over mqtts: its certificate is not checked
   * (the connection never leaves this host's kernel, and a configured certificate may
   * name a host other than the listening address).
   */
  ownBroker?: boolean;
}

export type MessageHandler = (topic: string, payload: Buffer) => void;

export interface ConnectionEvents {
  /** The broker connection is back after a loss (not the first connection). */
  onReconnect?: () => void;
}

export class GatewayClient {
  private client: MqttClient | undefined;

  constructor(
    private readonly options: GatewayClientOptions,
    private readonly onMessage: MessageHandler,
    private readonly logger: Logger,
    private readonly events: ConnectionEvents = {},
  ) {}

  get connected(): boolean {
    return this.client?.connected === true;
  }

  async start(): Promise<void> {
    const options: IClientOptions = {
      clientId: this.options.clientId,
      protocolVersion: this.options.protocolVersion,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      clean: true,
      resubscribe: true,
    };
    if (this.options.username !== undefined) options.username = this.options.username;
    if (this.options.password !== undefined) options.password = this.options.password;
    if (this.options.ownBroker) options.rejectUnauthorized = false;
    const client = mqtt.connect(this.options.url, options);
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (error) => this.logger.warn({ reason: error.message }, 'broker connection error'));
    let connections = 0;
    client.on('connect', () => {
      this.logger.info({ url: this.options.url }, 'gateway connected to the broker');
      if (connections++ > 0) this.events.onReconnect?.();
      client.subscribe(this.options.subscriptions, { qos: 1 }, (error, granted) => {
        if (error) this.logger.error({ err: error }, 'gateway subscribe failed');
        for (const grant of granted ?? []) {
          if (grant.qos > 2) this.logger.error({ topic: grant.topic }, 'subscription refused by the broker');
        }
      });
    });
    // The first connection must work: a wrong URL or credentials should stop start-up loudly.
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        client.removeListener('connect', onConnect);
        client.end(true);
        reject(new Error(`cannot connect to the MQTT broker at ${this.options.url}: ${error.message}`));
      };
      const onConnect = (): void => {
        client.removeListener('error', onError);
        resolve();
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
  }

  async publish(topic: string, payload: Buffer | Uint8Array, options: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
    if (!this.client) throw new Error('gateway client not started');
    await this.client.publishAsync(topic, Buffer.from(payload), { qos: options.qos ?? 1, retain: options.retain ?? false });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }
}
