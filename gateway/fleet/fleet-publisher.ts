/**
 * Distribution to the fleet: the signed bundles (trust list, deny list and its
 * deltas, fare settings, per-device commands) as retained messages, and a signed
 * time beacon every few seconds. The keys directory is the source of the trust and
 * deny lists (the keys CLI and this service both change it, atomically); every
 * published bundle is also recorded in the ledger.
 */
import type { Logger } from 'pino';
import { DenySet, openDenyList, signDenyDelta } from '../../protocol/bundles/deny-list.ts';
import {
  signFareSettings,
  signGateCommand,
  signTimeBeacon,
  type FareSettings,
  type GateCommandName,
} from '../../protocol/bundles/downlink-bundles.ts';
import { openTrustList } from '../../protocol/bundles/trust-list.ts';
import { signClockReset, type ClockReset } from '../../protocol/bundles/clock-reset.ts';
import { topics, type BundleKind } from '../../protocol/mqtt/topics.ts';
import { denyEntry, type DenyRequest } from '../../keys/keyring.ts';
import { KEYS_FILES, readBundle, readRootPublicKey, readRootSigningKey } from '../../keys/keys-dir.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { DEFAULT_CHECK_SETTINGS } from '../../protocol/bundles/check-settings.ts';

/** The ledger's bundle type for clock resets (one fleet-wide series). */
const CLOCK_RESET_BUNDLE = 'clock-reset';

export interface BundlePublisher {
  publish(topic: string, payload: Buffer | Uint8Array, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
}

export interface FleetOptions {
  keysDir: string;
  timeBeaconIntervalMs: number;
  /** A full deny list is re-published at most this often; deltas go out at once. */
  fullDenyListDelayMs: number;
}

export class FleetPublisher {
  private beaconTimer: NodeJS.Timeout | undefined;
  private fullDenyTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: FleetOptions,
    private readonly ledger: Ledger,
    private readonly broker: BundlePublisher,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.record('trust', readBundle(this.options.keysDir, KEYS_FILES.trustList));
    await this.record('deny', readBundle(this.options.keysDir, KEYS_FILES.denyList));
    if (!(await this.ledger.latestBundle('fares'))) {
      await this.publishFares({ ...DEFAULT_CHECK_SETTINGS, version: Date.now(), issuedAt: Math.floor(Date.now() / 1000) });
    }
    for (const bundle of await this.ledger.latestBundles()) {
      if (bundle.type === 'trust' || bundle.type === 'deny' || bundle.type === 'fares') {
        await this.broker.publish(topics.bundle(bundle.type), bundle.bytes, { qos: 1, retain: true });
      }
      if (bundle.type === CLOCK_RESET_BUNDLE) await this.broker.publish(topics.clockReset(), bundle.bytes, { qos: 1, retain: true });
    }
    this.beaconTimer = setInterval(() => void this.publishBeacon(), this.options.timeBeaconIntervalMs);
    this.beaconTimer.unref();
    await this.publishBeacon();
  }

  async stop(): Promise<void> {
    clearInterval(this.beaconTimer);
    clearTimeout(this.fullDenyTimer);
  }

  /** Re-reads the keys directory's trust list (after rotate/retire/add-issuer) and publishes it when newer. */
  async publishTrustList(): Promise<number> {
    const bytes = readBundle(this.options.keysDir, KEYS_FILES.trustList);
    await this.record('trust', bytes);
    await this.broker.publish(topics.bundle('trust'), bytes, { qos: 1, retain: true });
    return openTrustList(bytes, readRootPublicKey(this.options.keysDir)).version;
  }

  /**
   * Adds a ticket or holder key to the deny list and sends the delta at once (gates
   * apply it within a second); the full list follows, debounced, for gates that
   * missed a version. Returns the new version, or undefined when already denied.
   */
  async deny(request: DenyRequest): Promise<number | undefined> {
    const root = readRootPublicKey(this.options.keysDir);
    const before = openDenyList(readBundle(this.options.keysDir, KEYS_FILES.denyList), root);
    const version = denyEntry(this.options.keysDir, request);
    if (version === undefined) return undefined;
    const fullBytes = readBundle(this.options.keysDir, KEYS_FILES.denyList);
    const after = openDenyList(fullBytes, root);
    const delta = signDenyDelta(
      {
        version: after.version,
        issuedAt: after.issuedAt,
        baseVersion: before.version,
        add: DenySet.fromUnsorted([request.hash]),
        remove: DenySet.fromUnsorted([]),
      },
      readRootSigningKey(this.options.keysDir),
    );
    await this.record('deny', fullBytes);
    await this.record('deny-delta', delta, after.version);
    await this.broker.publish(topics.bundle('deny-delta'), delta, { qos: 1, retain: true });
    this.scheduleFullDenyList();
    return version;
  }

  async publishFares(settings: FareSettings): Promise<void> {
    const bytes = signFareSettings(settings, readRootSigningKey(this.options.keysDir));
    await this.record('fares', bytes, settings.version);
    await this.broker.publish(topics.bundle('fares'), bytes, { qos: 1, retain: true });
  }

  /** A signed, retained command for one gate; versions are ms timestamps, so they only grow. */
  async command(device: string, command: GateCommandName, reason?: string): Promise<number> {
    const version = Date.now();
    const bytes = signGateCommand(
      { version, issuedAt: Math.floor(version / 1000), device, command, ...(reason !== undefined && { reason }) },
      readRootSigningKey(this.options.keysDir),
    );
    await this.ledger.putBundle({ type: `command:${device}`, version, bytes, publishedAt: Date.now() });
    await this.broker.publish(topics.command(device), bytes, { qos: 1, retain: true });
    return version;
  }

  /**
   * A signed, retained, fleet-wide clock reset to this gateway's time: every gate forgets a
   * high-water mark in the future and anchors on the next beacon. Versions only grow, even if
   * this gateway's clock was once ahead (the ledger holds the last one). Check this gateway's
   * clock first: the reset carries it to every gate.
   */
  async clockReset(reason?: string): Promise<ClockReset> {
    const now = Date.now();
    const last = await this.ledger.latestBundle(CLOCK_RESET_BUNDLE);
    const version = Math.max(now, (last?.version ?? 0) + 1);
    const reset: ClockReset = { version, issuedAt: Math.floor(now / 1000), resetToMs: now, ...(reason !== undefined && { reason }) };
    const bytes = signClockReset(reset, readRootSigningKey(this.options.keysDir));
    await this.ledger.putBundle({ type: CLOCK_RESET_BUNDLE, version, bytes, publishedAt: now });
    await this.broker.publish(topics.clockReset(), bytes, { qos: 1, retain: true });
    return reset;
  }

  private scheduleFullDenyList(): void {
    if (this.fullDenyTimer) return;
    this.fullDenyTimer = setTimeout(() => {
      this.fullDenyTimer = undefined;
      const bytes = readBundle(this.options.keysDir, KEYS_FILES.denyList);
      this.broker.publish(topics.bundle('deny'), bytes, { qos: 1, retain: true }).catch((error: unknown) => {
        this.logger.error({ err: error }, 'full deny list not published');
      });
    }, this.options.fullDenyListDelayMs);
    this.fullDenyTimer.unref();
  }

  private async publishBeacon(): Promise<void> {
    try {
      const beacon = signTimeBeacon(Date.now(), readRootSigningKey(this.options.keysDir));
      await this.broker.publish(topics.time(), beacon, { qos: 0, retain: false });
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'time beacon not published');
    }
  }

  private async record(kind: BundleKind, bytes: Uint8Array, version?: number): Promise<void> {
    const root = readRootPublicKey(this.options.keysDir);
    const resolved =
      version ?? (kind === 'trust' ? openTrustList(bytes, root).version : openDenyList(bytes, root).version);
    await this.ledger.putBundle({ type: kind, version: resolved, bytes, publishedAt: Date.now() });
  }
}
