/**
 * The validator's composition root: builds every part from the config, starts them
 * in order (outputs safe first, the reader last) and stops them in reverse, each in
 * its own try/catch. The only place that may load the real hardware drivers, lazily.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { PartSequence, type Part } from '../../runtime/lifecycle.ts';
import { encodeMessage, type DeviceState } from '../../protocol/mqtt/messages.ts';
import { topics } from '../../protocol/mqtt/topics.ts';
import { parsePublicKeyPem } from '../../protocol/ticket/ed25519.ts';
import { StationPassback } from '../passback/station-passback.ts';
import { TicketChecker, type GateContext } from '../check/ticket-checker.ts';
import { TrustStore } from '../check/trust-store.ts';
import type { ValidatorConfig } from '../config/validator-config.ts';
import { BundleStore } from '../downlink/bundle-store.ts';
import { GateController } from '../gate/gate-controller.ts';
import type { GateHardware } from '../hardware/ports.ts';
import { createSimulatedHardware, type SimulatedGateHardware } from '../hardware/simulated-hardware.ts';
import type { JournalFs } from '../journal/journal-fs.ts';
import { TapJournal } from '../journal/tap-journal.ts';
import { systemTimeSources, TrustedClock, type TimeSources } from '../time/trusted-clock.ts';
import { MqttLink } from '../uplink/mqtt-link.ts';
import { Uplink } from '../uplink/uplink.ts';
import { DirectoryLock } from '../../runtime/directory-lock.ts';
import { makePrivateDir } from '../../runtime/private-files.ts';
import { DownlinkRouter } from './downlink-router.ts';
import { JournalHealth } from './journal-health.ts';
import { LocalHttp, type HealthReport } from './local-http.ts';
import { TapPipeline } from './tap-pipeline.ts';
import { createValidatorMetrics, type ValidatorMetrics } from './validator-metrics.ts';
import { DEFAULT_MAX_LIFETIME_SECONDS } from '../../protocol/bundles/check-settings.ts';

export interface ValidatorServiceOptions {
  /** Simulated hardware built by the caller (the simulator drives it); default: from the config. */
  hardware?: GateHardware;
  timeSources?: TimeSources;
  /** The journal's disk; default the real file system (tests inject a full or dead one). */
  journalFs?: JournalFs;
}

export class ValidatorService {
  readonly metrics: ValidatorMetrics = createValidatorMetrics();
  private readonly parts: PartSequence;
  private stateTimer: NodeJS.Timeout | undefined;
  hardware: GateHardware | undefined;
  pipeline: TapPipeline | undefined;
  journal: TapJournal | undefined;
  clock: TrustedClock | undefined;
  http: LocalHttp | undefined;
  private link: MqttLink | undefined;
  private uplink: Uplink | undefined;
  private bundles: BundleStore | undefined;
  private controller: GateController | undefined;
  private emergency = { input: false, command: false };
  /** Why the gate is out of service: the operator's command and/or a journal fault. */
  private outOfService: { command?: { reason?: string }; journal?: string } = {};
  journalHealth: JournalHealth | undefined;

  constructor(
    private readonly config: ValidatorConfig,
    private readonly logger: Logger,
    private readonly options: ValidatorServiceOptions = {},
  ) {
    this.parts = new PartSequence('validator', logger);
  }

  async start(): Promise<void> {
    const { config, logger } = this;
    // Taken by the first part, before anything writes to the state directory: a second
    // process there would reuse seqs.
    const lock = new DirectoryLock(config.stateDir, `validator ${config.device}`);
    makePrivateDir(config.stateDir);
    const rootPublicKey = parsePublicKeyPem(readFileSync(config.rootPublicKeyFile, 'utf8'), `rootPublicKeyFile ${config.rootPublicKeyFile}`);
    const gate: GateContext = { station: config.station, zone: config.zone, mode: config.mode, direction: config.direction };

    const clock = new TrustedClock(
      {
        stateFile: join(config.stateDir, 'clock.json'),
        trustSystemClock: config.clock.trustSystemClock,
        maxAnchorAgeMs: config.clock.maxAnchorAgeHours * 3_600_000,
        maxBeaconAheadMs: config.clock.maxBeaconAheadSeconds * 1000,
        persistIntervalMs: config.clock.persistIntervalMs,
      },
      this.options.timeSources ?? systemTimeSources,
      logger.child({ module: 'clock' }),
    );
    this.clock = clock;
    const trust = new TrustStore(rootPublicKey);
    const passback = new StationPassback(config, rootPublicKey, () => clock.now().seconds, this.metrics, logger.child({ module: 'passback' }));
    // Ticket lifetimes come with the signed fare settings; until they arrive, the defaults.
    const checker = new TicketChecker(trust, passback.state, { ...config.fares, maxLifetimeSeconds: DEFAULT_MAX_LIFETIME_SECONDS });
    const bundles = new BundleStore(
      { dir: join(config.stateDir, 'bundles'), device: config.device, seeds: { ...(config.seedBundles.trustList && { trust: config.seedBundles.trustList }), ...(config.seedBundles.denyList && { deny: config.seedBundles.denyList }) } },
      trust,
      {
        onFares: (fares) => checker.updateSettings(fares),
        onCommand: (command) => this.onCommand(command.command, command.reason),
      },
      logger.child({ module: 'bundles' }),
    );
    this.bundles = bundles;
    let pipeline: TapPipeline | undefined;
    const { maxUncommittedMs, ...journalSettings } = config.journal;
    const journal = new TapJournal(
      {
        dir: join(config.stateDir, 'journal'),
        ...journalSettings,
        // Recent accepts stay on disk, acknowledged or not, to rebuild anti-passback.
        retainAcknowledgedMs: passback.memorySeconds * 1000,
        lossRecordBase: () => pipeline!.recordBase(), // the pipeline exists before any part starts
        ...(this.options.journalFs && { fs: this.options.journalFs }),
        onBacklogAlarm: (active, backlog) => {
          this.metrics.journalBacklogAlarm.set(active ? 1 : 0);
          logger[active ? 'error' : 'info']({ backlog }, active ? 'journal backlog over its limit: is the uplink down?' : 'journal backlog back under its limit');
        },
      },
      logger,
    );
    this.journal = journal;
    const journalHealth = new JournalHealth(
      journal,
      { maxUncommittedMs },
      {
        onFault: (fault) => this.onJournalFault(fault),
        onOpened: async () => {
          await passback.rebuildFrom(journal);
          this.uplink?.onCommitted();
        },
      },
      logger.child({ module: 'journal-health' }),
    );
    this.journalHealth = journalHealth;
    const hardware = this.options.hardware ?? (await this.openHardware());
    this.hardware = hardware;
    const controller = new GateController({
      outputs: hardware,
      display: { show: (line1, line2) => hardware.display.show(line1, line2) },
      journal: (entry) => {
        if (entry.kind === 'event') this.metrics.gateEvents.inc({ event: entry.event });
        else this.metrics.grantOutcomes.inc({ outcome: entry.outcome });
        return pipeline?.onGateEntry(entry);
      },
      settings: config.gate,
      logger,
    });
    this.controller = controller;
    const uplinkParts = this.buildUplink(journal, bundles, clock, passback);
    pipeline = new TapPipeline(
      { device: config.device, gate, checker, clock, journal, controller, metrics: this.metrics, onCommitted: () => this.uplink?.onCommitted() },
      logger.child({ module: 'taps' }),
    );
    this.pipeline = pipeline;
    this.http = new LocalHttp(config.http, () => this.health(), this.metrics.registry);

    const parts: Part[] = [
      { name: 'lock', start: () => lock.acquire(), stop: () => lock.release() },
      { name: 'clock', start: () => clock.start(), stop: () => clock.stop() },
      { name: 'bundles', start: () => bundles.start(), stop: () => bundles.stop() },
      // Opening the journal also reads recent accepts back into anti-passback, before any admission.
      { name: 'journal', start: () => journalHealth.start(), stop: () => journalHealth.stop() },
      { name: 'hardware', start: () => hardware.start(), stop: () => hardware.stop() },
      { name: 'gate', start: () => this.startGate(controller, hardware, pipeline!), stop: () => controller.stop() },
      ...uplinkParts,
      { name: 'http', start: () => this.http!.start(), stop: () => this.http!.stop() },
    ];
    await this.parts.start(parts);
    this.stateTimer = setInterval(() => this.publishState(), config.mqtt?.stateIntervalMs ?? 30_000);
    this.stateTimer.unref();
    logger.info({ device: config.device, station: config.station, health: `http://${config.http.host}:${this.http.port}/healthz` }, 'validator running');
  }

  /** Stops every part in reverse; rejects when one failed (the journal: records never made durable). */
  async stop(): Promise<void> {
    clearInterval(this.stateTimer);
    await this.parts.stop();
  }

  private onJournalFault(fault: string | undefined): void {
    this.metrics.journalFault.set(fault === undefined ? 0 : 1);
    this.outOfService.journal = fault;
    this.applyOutOfService();
    this.publishState();
  }

  /** Out of service while any cause holds; the journal event names them all. */
  private applyOutOfService(): void {
    if (this.controller?.stateName === 'stopped') return; // startGate applies it once the gate runs
    const { command, journal } = this.outOfService;
    const reason = [command?.reason, journal].filter((text) => text !== undefined).join('; ');
    this.controller?.setOutOfService(command !== undefined || journal !== undefined, reason === '' ? undefined : reason);
  }

  private async openHardware(): Promise<GateHardware> {
    const hardware = this.config.hardware;
    if (hardware === 'simulated') return createSimulatedHardware(this.logger) as SimulatedGateHardware;
    // Loaded only here, only for real hardware: tests and the simulator never load onoff/i2c-bus.
    const { openRealHardware } = await import('../hardware/real-hardware.ts');
    return openRealHardware(hardware, this.logger);
  }

  private async startGate(controller: GateController, hardware: GateHardware, pipeline: TapPipeline): Promise<void> {
    await controller.start();
    this.applyOutOfService(); // a journal that failed to open keeps the gate closed from the start
    this.emergency.input = hardware.emergency.read();
    controller.onEmergency(this.emergency.input || this.emergency.command);
    hardware.emergency.onChange((active) => {
      this.emergency.input = active;
      controller.onEmergency(this.emergency.input || this.emergency.command);
    });
    hardware.passage.onChange((blocked) => {
      if (!blocked) controller.onPassage(); // beam restored = one passage completed
    });
    hardware.doorForced.onChange((active) => {
      if (active) controller.onDoorForced();
    });
    hardware.qr.onCode((text) => pipeline.onCode(text));
  }

  private onCommand(command: string, reason?: string): void {
    const controller = this.controller;
    if (!controller) return;
    if (command === 'out-of-service') this.outOfService.command = reason === undefined ? {} : { reason };
    if (command === 'in-service') delete this.outOfService.command;
    if (command === 'out-of-service' || command === 'in-service') this.applyOutOfService();
    if (command === 'emergency-open' || command === 'emergency-clear') {
      this.emergency.command = command === 'emergency-open';
      controller.onEmergency(this.emergency.input || this.emergency.command);
    }
  }

  private buildUplink(journal: TapJournal, bundles: BundleStore, clock: TrustedClock, passback: StationPassback): Part[] {
    const mqttConfig = this.config.mqtt;
    if (!mqttConfig) {
      this.logger.warn('no mqtt section: running offline, taps stay in the journal');
      return [];
    }
    const device = this.config.device;
    const password = mqttConfig.passwordFile ? readFileSync(mqttConfig.passwordFile, 'utf8').trim() : mqttConfig.password;
    let router: DownlinkRouter | undefined;
    const link = new MqttLink(
      {
        url: mqttConfig.url,
        clientId: `faregate-${device}`,
        ...(mqttConfig.username !== undefined && { username: mqttConfig.username }),
        ...(password !== undefined && { password }),
        ...(mqttConfig.tls && { tls: mqttConfig.tls }),
        keepaliveSeconds: mqttConfig.keepaliveSeconds,
        reconnect: { minMs: mqttConfig.reconnectMinMs, maxMs: mqttConfig.reconnectMaxMs },
        stateTopic: topics.state(device),
        offlinePayload: () => encodeMessage(this.deviceState(false)),
        subscriptions: [topics.ack(device), topics.command(device), topics.allBundles, topics.time(), passback.topic],
      },
      {
        onConnect: () => {
          this.metrics.uplinkConnected.set(1);
          this.publishState();
          this.uplink?.onConnected();
        },
        onDisconnect: () => {
          this.metrics.uplinkConnected.set(0);
          passback.onDisconnected();
        },
        onMessage: (topic, payload) => (topic === passback.topic ? passback.onMessage(payload) : router?.onMessage(topic, payload)),
        onSubscribed: (refused) => passback.onSubscribed(refused),
      },
      this.logger.child({ module: 'mqtt' }),
    );
    const uplink = new Uplink(journal, link, { device, ...mqttConfig }, this.logger.child({ module: 'uplink' }));
    router = new DownlinkRouter(
      { device, uplink, bundles, clock, metrics: this.metrics, onBundlesChanged: () => this.publishState() },
      this.logger.child({ module: 'downlink' }),
    );
    this.link = link;
    this.uplink = uplink;
    return [
      passback.sharingOver(link),
      { name: 'uplink', start: () => uplink.start(), stop: () => uplink.stop() },
      { name: 'mqtt', start: () => link.start(), stop: () => link.stop(encodeMessage(this.deviceState(false))) },
    ];
  }

  private deviceState(online: boolean): DeviceState {
    const journal = this.journal;
    return {
      v: 1,
      device: this.config.device,
      online,
      at: Date.now(),
      station: this.config.station,
      gate: this.controller?.stateName ?? 'stopped',
      clockAnchored: this.clock?.status === 'anchored',
      backlog: journal ? journal.backlog.records : 0,
      backlogAlarm: journal?.backlogAlarm ?? false,
      ...(this.outOfService.journal !== undefined && { journalFault: this.outOfService.journal }),
      bundles: this.bundles?.versions() ?? {},
    };
  }

  private publishState(): void {
    const link = this.link;
    if (!link?.connected) return;
    link.publish(topics.state(this.config.device), encodeMessage(this.deviceState(true)), { qos: 1, retain: true }).catch((error: unknown) => {
      this.logger.warn({ reason: (error as Error).message }, 'state not published');
    });
  }

  health(): HealthReport {
    const journal = this.journal;
    const clock = this.clock;
    const uplink = this.uplink?.status();
    const reading = clock?.now();
    this.metrics.clockAnchored.set(reading?.trusted ? 1 : 0);
    this.metrics.journalBacklog.set(journal?.backlog.records ?? 0);
    this.metrics.journalBacklogAlarm.set(journal?.backlogAlarm ? 1 : 0);
    this.metrics.uplinkConnected.set(uplink?.connected ? 1 : 0);
    this.metrics.uplinkBatches.set(uplink?.batchesSent ?? 0);
    this.metrics.uplinkAckAge.set(uplink?.lastAckAt ? (Date.now() - uplink.lastAckAt) / 1000 : -1);
    const gateState = this.controller?.stateName ?? 'stopped';
    const journalFault = this.journalHealth?.fault;
    const uncommittedMs = journal?.uncommittedAgeMs() ?? 0;
    this.metrics.journalUncommittedAge.set(uncommittedMs / 1000);
    return {
      ready: gateState !== 'stopped' && this.bundles?.versions().trust !== undefined && journalFault === undefined,
      device: this.config.device,
      gate: gateState,
      clock: { status: clock?.status ?? 'unanchored', trusted: reading?.trusted ?? false, rollbackDetected: clock?.rollbackDetected ?? false },
      bundles: { ...this.bundles?.versions() },
      journal: {
        nextSeq: journal?.nextSeq ?? 0,
        committedSeq: journal?.committedSeq ?? 0,
        acknowledgedSeq: journal?.acknowledgedSeq ?? 0,
        backlogRecords: journal?.backlog.records ?? 0,
        backlogBytes: journal?.backlog.bytes ?? 0,
        backlogAlarm: journal?.backlogAlarm ?? false,
        uncommittedMs: Math.round(uncommittedMs),
        fault: journalFault ?? null,
      },
      uplink: {
        configured: this.link !== undefined,
        connected: uplink?.connected ?? false,
        lastBatchAt: uplink?.lastBatchAt ? new Date(uplink.lastBatchAt).toISOString() : null,
        lastAckAt: uplink?.lastAckAt ? new Date(uplink.lastAckAt).toISOString() : null,
        batchesSent: uplink?.batchesSent ?? 0,
      },
    };
  }
}
