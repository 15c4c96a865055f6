/**
 * The gateway's composition root: ledger, keys, broker (embedded unless configured
 * external), the MQTT client, ingest, fleet distribution, device state and the HTTP
 * API, started in order and stopped in reverse, each in its own try/catch.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { PartSequence, type Part } from '../../runtime/lifecycle.ts';
import { parseDeviceState } from '../../protocol/mqtt/messages.ts';
import { deviceOfTopic, sharedSubscription, topics } from '../../protocol/mqtt/topics.ts';
import { DirectoryLock } from '../../runtime/directory-lock.ts';
import { makePrivateDir } from '../../runtime/private-files.ts';
import { EmbeddedBroker } from '../broker/embedded-broker.ts';
import { loadTls } from '../broker/broker-tls.ts';
import type { GatewayConfig } from '../config/gateway-config.ts';
import { DeviceCredentials, newSecret, type IssuedCredentials } from '../fleet/device-credentials.ts';
import { FleetPublisher } from '../fleet/fleet-publisher.ts';
import { prepareGatewayKeys } from '../fleet/gateway-keys.ts';
import { KeysDirWatch } from '../fleet/keys-dir-watch.ts';
import { TapIngest } from '../ingest/tap-ingest.ts';
import { FareClearing } from '../clearing/fare-clearing.ts';
import { loadFeed } from '../fares/fares-api.ts';
import { PassbackSlips } from '../ingest/passback-slips.ts';
import { DEFAULT_CHECK_SETTINGS } from '../../protocol/bundles/check-settings.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics/gateway-metrics.ts';
import { GatewayClient } from '../mqtt/gateway-client.ts';
import { tokenCreateCommand, type GatewayWhereabouts } from '../http/token-hint.ts';
import type { GatewayApiContext } from './gateway-context.ts';

export const SERVICE_USER = 'faregate-gateway';

export class GatewayService {
  readonly metrics: GatewayMetrics = createGatewayMetrics();
  ledger!: Ledger;
  fleet!: FleetPublisher;
  devices!: DeviceCredentials;
  ingest!: TapIngest;
  /** Fare clearing; undefined without a fare feed. */
  clearing: FareClearing | undefined;
  broker: EmbeddedBroker | undefined;
  client!: GatewayClient;
  /** The URL devices use to reach the broker. */
  brokerUrl = '';
  private readonly parts: PartSequence;
  private extraParts: Part[] = [];
  private watch: KeysDirWatch | undefined;
  /** The journal fault each device last reported. */
  private readonly journalFaults = new Map<string, string>();

  constructor(
    readonly config: GatewayConfig,
    private readonly logger: Logger,
  ) {
    this.parts = new PartSequence('gateway', logger);
  }

  /** Parts started after the core (the HTTP API), stopped before it. */
  addPart(part: Part): void {
    this.extraParts.push(part);
  }

  async start(): Promise<void> {
    const { config, logger } = this;
    makePrivateDir(config.dataDir);
    // One gateway per data directory: a second one would run the ledger and keys twice.
    const lock = new DirectoryLock(config.dataDir, 'gateway');
    this.ledger = openLedger(config);
    this.clearing = this.openClearing();
    const service: IssuedCredentials =
      config.mqtt.mode === 'external' ? { username: config.mqtt.username, password: config.mqtt.password } : { username: SERVICE_USER, password: newSecret() };
    this.devices = new DeviceCredentials(this.ledger, service, config.mqtt.mode === 'embedded' ? { endSessions: (device) => this.broker?.endSessions(device) ?? 0 } : undefined);
    if (config.mqtt.mode === 'embedded') {
      this.broker = new EmbeddedBroker({ host: config.mqtt.host, port: config.mqtt.port, ...this.brokerTls() }, this.devices, logger.child({ module: 'broker' }));
    }
    const parts: Part[] = [
      { name: 'lock', start: () => lock.acquire(), stop: () => lock.release() },
      { name: 'ledger', start: () => this.ledger.start(), stop: () => this.ledger.stop() },
      // Before ingest can hand it records; stopped (drained) once ingest has stopped.
      ...(this.clearing ? [{ name: 'clearing', start: () => this.clearing!.start(), stop: () => this.clearing!.stop() }] : []),
      { name: 'keys', start: async () => this.ensureKeys(), stop: async () => undefined },
      ...(this.broker ? [{ name: 'broker', start: () => this.broker!.start(), stop: () => this.broker!.stop() }] : []),
      { name: 'mqtt', start: () => this.startClient(service), stop: () => this.client.stop() },
      { name: 'fleet', start: () => this.fleet.start(), stop: () => this.fleet.stop() },
      { name: 'keys-watch', start: () => this.keysWatch().start(), stop: async () => this.watch?.stop() },
    ];
    await this.parts.start([...parts, ...this.extraParts]);
  }

  async stop(): Promise<void> {
    if (this.ingest) await this.ingest.drain().catch(() => undefined);
    await this.parts.stop();
  }

  /** mqtts: the configured certificate, or a development one made on the first start. */
  private brokerTls(): { tls?: { key: Buffer; cert: Buffer } } {
    const { mqtt } = this.config;
    if (mqtt.mode !== 'embedded' || mqtt.tls === undefined) return {};
    const { key, cert, generated } = loadTls(mqtt.tls, [mqtt.host]);
    if (generated) this.logger.warn({ certFile: mqtt.tls.certFile }, 'made a development certificate for the broker (validators pin it: mqtt.tls.caFile); use a real one in production');
    return { tls: { key, cert } };
  }

  /** Clearing when the config names a fare feed (checked with the config, so it loads). */
  private openClearing(): FareClearing | undefined {
    const { fares } = this.config;
    if (fares.feedDir === undefined) {
      this.logger.info('no fare feed configured (fares.feedDir or --fare-feed): taps are stored, not rated');
      return undefined;
    }
    return new FareClearing(this.ledger, loadFeed(fares.feedDir), this.metrics, this.logger.child({ module: 'clearing' }), {
      minTravelMs: fares.minTravelSeconds * 1000,
      lateAfterMs: fares.lateAfterSeconds * 1000,
    });
  }

  /** What the HTTP API may use (gateway-context.ts); `startedWith` = this process's --config/--data-dir. */
  apiContext(startedWith: GatewayWhereabouts): GatewayApiContext {
    return {
      ledger: this.ledger,
      clearing: () => this.clearing,
      fleet: this.fleet,
      devices: this.devices,
      metrics: this.metrics,
      registry: this.metrics.registry,
      keysDir: this.config.keysDir,
      tokenCreateCommand: tokenCreateCommand(startedWith),
      brokerUrl: () => this.brokerUrl,
      health: () => ({
        ok: this.client?.connected === true,
        ledger: this.config.ledger.kind,
        broker: { mode: this.config.mqtt.mode, url: this.brokerUrl, connected: this.client?.connected === true },
        keysDir: this.config.keysDir,
      }),
    };
  }

  private ensureKeys(): void {
    prepareGatewayKeys(this.config.keysDir, this.config.operator, this.logger.child({ module: 'keys' }));
  }

  /** Publishes what the keys CLI changes in the keys directory, checked every time-beacon interval. */
  private keysWatch(): KeysDirWatch {
    this.watch = new KeysDirWatch(
      { keysDir: this.config.keysDir, intervalMs: this.config.timeBeaconIntervalMs },
      (file) => this.fleet.keysDirChanged(file),
      this.logger.child({ module: 'keys' }),
    );
    return this.watch;
  }

  private async startClient(service: IssuedCredentials): Promise<void> {
    const { config } = this;
    const external = config.mqtt.mode === 'external' ? config.mqtt : undefined;
    const scheme = config.mqtt.mode === 'embedded' && config.mqtt.tls ? 'mqtts' : 'mqtt';
    this.brokerUrl = external ? external.url : `${scheme}://${config.mqtt.mode === 'embedded' ? config.mqtt.host : ''}:${this.broker!.port}`;
    const tapFilter = external?.sharedGroup ? sharedSubscription(external.sharedGroup, topics.allTaps) : topics.allTaps;
    this.client = new GatewayClient(
      {
        url: this.brokerUrl,
        clientId: `faregate-gateway-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
        username: service.username,
        password: service.password,
        protocolVersion: external ? external.protocolVersion : 4,
        subscriptions: [tapFilter, topics.allStates],
        ownBroker: external === undefined,
      },
      (topic, payload) => this.onMessage(topic, payload),
      this.logger.child({ module: 'mqtt' }),
      // A broker that restarted without persistence has lost every retained message.
      { onReconnect: () => void this.fleet.republish('broker connection back').catch(() => undefined) },
    );
    // With a fare feed, fare clearing flags a reused single from the ledger (durably); then only passback is ours.
    const slips = new PassbackSlips(
      { passbackSeconds: () => this.fleet.fares?.passbackSeconds ?? DEFAULT_CHECK_SETTINGS.passbackSeconds, singles: this.clearing === undefined },
      this.metrics,
      this.logger.child({ module: 'clearing' }),
    );
    this.ingest = new TapIngest(this.ledger, this.client, this.metrics, this.logger.child({ module: 'ingest' }), (records) => {
      slips.observe(records);
      this.clearing?.observe(records);
    });
    this.fleet = new FleetPublisher(
      {
        keysDir: config.keysDir,
        timeBeaconIntervalMs: config.timeBeaconIntervalMs,
        fullDenyListDelayMs: config.fullDenyListDelayMs,
        republishIntervalMs: config.bundleRepublishIntervalMs,
        commandTtlMs: config.commandTtlMs,
      },
      this.ledger,
      this.client,
      this.logger.child({ module: 'fleet' }),
    );
    await this.client.start();
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic.endsWith('/taps')) return this.ingest.onMessage(topic, payload);
    if (topic.endsWith('/state')) void this.onDeviceState(topic, payload);
  }

  /** A gate whose journal keeps it out of service is an alarm here too: a metric, and a log line on each change. */
  private noteJournalFault(device: string, fault: string | undefined): void {
    this.metrics.journalFaults.set({ device }, fault === undefined ? 0 : 1);
    if (this.journalFaults.get(device) === fault) return;
    if (fault === undefined) this.journalFaults.delete(device);
    else this.journalFaults.set(device, fault);
    if (fault !== undefined) this.logger.error({ device, fault }, 'ALARM: gate out of service, its journal is failing');
    else this.logger.info({ device }, 'gate journal healthy again');
  }

  private async onDeviceState(topic: string, payload: Buffer): Promise<void> {
    const device = deviceOfTopic(topic);
    if (!device || payload.length === 0) return;
    try {
      const state = parseDeviceState(payload);
      if (state.device !== device) throw new Error(`state of ${state.device} published on ${device}'s topic`);
      const known = await this.ledger.setDeviceState(device, {
        online: state.online,
        lastSeen: state.at,
        bundleVersions: state.bundles ?? {},
        backlog: state.backlog ?? 0,
        clockAnchored: state.clockAnchored ?? false,
      });
      if (!known) this.logger.warn({ device }, 'state from an unregistered device');
      this.noteJournalFault(device, state.journalFault);
      const devices = await this.ledger.listDevices();
      this.metrics.devicesOnline.set(devices.filter((d) => d.state.online).length);
    } catch (error) {
      this.logger.warn({ device, reason: (error as Error).message }, 'device state ignored');
    }
  }
}
