/**
 * Distribution to the fleet: the signed bundles (trust list, deny list and its
 * deltas, fare settings, per-device commands) as retained messages, and a signed
 * time beacon every few seconds. The keys directory is the source of the trust and
 * deny lists (the keys CLI and this service both change it, atomically); every
 * published bundle is also recorded in the ledger.
 *
 * Retained state is always there (docs/protocol.md, "Retained state"): the ledger is
 * its durable copy, and everything retained is published again from it at start, each
 * time the broker connection comes back (a broker restarted without persistence has
 * lost it) and on a timer. The deny topics never hold a pair a gate cannot apply: the
 * retained delta is cumulative from the retained full list, which is published
 * before it, and a newer full list clears the delta.
 */
import type { Logger } from 'pino';
import { DENY_DELTA_TYPE, DENY_LIST_TYPE, denyDeltaBetween, openDenyList, signDenyDelta, type DenyList } from '../../protocol/bundles/deny-list.ts';
import {
  COMMAND_TYPE,
  FARES_TYPE,
  TIME_TYPE,
  openFareSettings,
  signFareSettings,
  signGateCommand,
  signTimeBeacon,
  type FareSettings,
  type GateCommandName,
} from '../../protocol/bundles/downlink-bundles.ts';
import { openTrustList } from '../../protocol/bundles/trust-list.ts';
import { CLOCK_RESET_TYPE, openClockReset, signClockReset, type ClockReset } from '../../protocol/bundles/clock-reset.ts';
import { topics, type BundleKind } from '../../protocol/mqtt/topics.ts';
import { denyEntry, type DenyRequest } from '../../keys/keyring.ts';
import { KEYS_FILES, readBundle, readRootPublicKey } from '../../keys/keys-dir.ts';
import { readBundleSigner } from '../../keys/signing-keys.ts';
import type { BundleSigner } from '../../protocol/bundles/signed-bundle.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { DEFAULT_CHECK_SETTINGS } from '../../protocol/bundles/check-settings.ts';
import { CommandQueue } from './command-queue.ts';

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
  /** Every retained bundle and pending command is published again this often (0: never). */
  republishIntervalMs?: number;
  /** A command for a gate that stays offline is withdrawn after this long. */
  commandTtlMs?: number;
}

const RETAINED = { qos: 1, retain: true } as const;
const DEFAULT_COMMAND_TTL_MS = 86_400_000;

export class FleetPublisher {
  private beaconTimer: NodeJS.Timeout | undefined;
  private republishTimer: NodeJS.Timeout | undefined;
  private fullDenyTimer: NodeJS.Timeout | undefined;
  /** The full deny list on the retained topic: the base of the retained delta. */
  private retainedDeny: DenyList | undefined;
  private readonly commands: CommandQueue;
  /** The fare settings last published (clearing's anti-passback time). */
  fares: FareSettings | undefined;

  constructor(
    private readonly options: FleetOptions,
    private readonly ledger: Ledger,
    private readonly broker: BundlePublisher,
    private readonly logger: Logger,
  ) {
    this.commands = new CommandQueue(ledger, broker, options.commandTtlMs ?? DEFAULT_COMMAND_TTL_MS, logger);
  }

  async start(): Promise<void> {
    await this.record('trust', readBundle(this.options.keysDir, KEYS_FILES.trustList));
    await this.record('deny', readBundle(this.options.keysDir, KEYS_FILES.denyList));
    const fares = await this.heldFares();
    if (fares) this.fares = fares;
    else await this.publishFares({ ...DEFAULT_CHECK_SETTINGS, version: Date.now(), issuedAt: Math.floor(Date.now() / 1000) });
    await this.republish('start');
    this.beaconTimer = setInterval(() => void this.publishBeacon(), this.options.timeBeaconIntervalMs);
    this.beaconTimer.unref();
    const every = this.options.republishIntervalMs ?? 0;
    if (every > 0) {
      this.republishTimer = setInterval(() => void this.republish('timer').catch(() => undefined), every);
      this.republishTimer.unref();
    }
    await this.publishBeacon();
  }

  async stop(): Promise<void> {
    clearInterval(this.beaconTimer);
    clearInterval(this.republishTimer);
    clearTimeout(this.fullDenyTimer);
  }

  /**
   * Publishes every retained bundle again from the ledger and the keys directory (the
   * current full deny list, so the retained delta is cleared), and the pending commands.
   */
  async republish(why: string): Promise<void> {
    try {
      for (const kind of ['trust', 'fares'] as const) {
        const bundle = await this.ledger.latestBundle(kind);
        if (bundle) await this.broker.publish(topics.bundle(kind), bundle.bytes, RETAINED);
      }
      await this.publishFullDenyList();
      const clockReset = await this.ledger.latestBundle(CLOCK_RESET_BUNDLE);
      if (clockReset) await this.broker.publish(topics.clockReset(), clockReset.bytes, RETAINED);
      const commands = await this.commands.republish();
      this.logger.info({ why, ...commands }, 'retained bundles and pending commands published');
    } catch (error) {
      this.logger.error({ err: error, why }, 'retained bundles not republished');
      throw error;
    }
  }

  /** Re-reads the keys directory's trust list (after rotate/retire/add-issuer) and publishes it when newer. */
  async publishTrustList(): Promise<number> {
    const bytes = readBundle(this.options.keysDir, KEYS_FILES.trustList);
    await this.record('trust', bytes);
    await this.broker.publish(topics.bundle('trust'), bytes, RETAINED);
    return openTrustList(bytes, readRootPublicKey(this.options.keysDir)).version;
  }

  /**
   * Adds a ticket or holder key to the deny list and sends at once a delta from the
   * retained full list (gates apply it within a second, and a gate connecting now gets
   * that full list and the delta); the new full list follows, debounced. Returns the
   * new version, or undefined when already denied.
   */
  async deny(request: DenyRequest): Promise<number | undefined> {
    const version = denyEntry(this.options.keysDir, request, new Date(), this.signer(DENY_LIST_TYPE));
    if (version === undefined) return undefined;
    const fullBytes = readBundle(this.options.keysDir, KEYS_FILES.denyList);
    const after = openDenyList(fullBytes, readRootPublicKey(this.options.keysDir));
    await this.record('deny', fullBytes);
    const base = this.retainedDeny;
    if (base && base.version < after.version) {
      const delta = signDenyDelta(denyDeltaBetween(base, after), this.signer(DENY_DELTA_TYPE));
      await this.record('deny-delta', delta, after.version);
      await this.broker.publish(topics.bundle('deny-delta'), delta, RETAINED);
      this.scheduleFullDenyList();
    } else {
      await this.publishFullDenyList();
    }
    return version;
  }

  async publishFares(settings: FareSettings): Promise<void> {
    const bytes = signFareSettings(settings, this.signer(FARES_TYPE));
    await this.record('fares', bytes, settings.version);
    this.fares = settings;
    await this.broker.publish(topics.bundle('fares'), bytes, RETAINED);
  }

  /** A signed, retained command for one gate; versions are ms timestamps, so they only grow. */
  async command(device: string, command: GateCommandName, reason?: string): Promise<number> {
    const version = Date.now();
    const bytes = signGateCommand(
      { version, issuedAt: Math.floor(version / 1000), device, command, ...(reason !== undefined && { reason }) },
      this.signer(COMMAND_TYPE),
    );
    await this.commands.send(device, version, bytes);
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
    const bytes = signClockReset(reset, this.signer(CLOCK_RESET_TYPE));
    await this.ledger.putBundle({ type: CLOCK_RESET_BUNDLE, version, bytes, publishedAt: now });
    await this.broker.publish(topics.clockReset(), bytes, RETAINED);
    return reset;
  }

  /**
   * The keys directory's full deny list onto the retained topic, and the retained delta
   * cleared in the same breath (published in this order on one connection), so no gate
   * ever finds a delta older than the full list beside it.
   */
  private async publishFullDenyList(): Promise<void> {
    clearTimeout(this.fullDenyTimer);
    this.fullDenyTimer = undefined;
    const bytes = readBundle(this.options.keysDir, KEYS_FILES.denyList);
    this.retainedDeny = openDenyList(bytes, readRootPublicKey(this.options.keysDir));
    await Promise.all([
      this.broker.publish(topics.bundle('deny'), bytes, RETAINED),
      this.broker.publish(topics.bundle('deny-delta'), Buffer.alloc(0), RETAINED),
    ]);
  }

  /** The last clock reset sent to the fleet, or null when there was none. */
  async lastClockReset(): Promise<ClockReset | null> {
    const last = await this.ledger.latestBundle(CLOCK_RESET_BUNDLE);
    return last ? openClockReset(last.bytes, readRootPublicKey(this.options.keysDir)) : null;
  }

  private scheduleFullDenyList(): void {
    if (this.fullDenyTimer) return;
    this.fullDenyTimer = setTimeout(() => {
      this.fullDenyTimer = undefined;
      this.publishFullDenyList().catch((error: unknown) => {
        this.logger.error({ err: error }, 'full deny list not published');
      });
    }, this.options.fullDenyListDelayMs);
    this.fullDenyTimer.unref();
  }

  private async publishBeacon(): Promise<void> {
    try {
      const beacon = signTimeBeacon(Date.now(), this.signer(TIME_TYPE));
      await this.broker.publish(topics.time(), beacon, { qos: 0, retain: false });
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'time beacon not published');
    }
  }

  /**
   * The fare settings in the ledger; undefined when there are none, or when they no longer
   * open — made before strict encoding, their millisecond version was a float — so that
   * fresh ones are published.
   */
  private async heldFares(): Promise<FareSettings | undefined> {
    const held = await this.ledger.latestBundle('fares');
    if (!held) return undefined;
    try {
      return openFareSettings(held.bytes, readRootPublicKey(this.options.keysDir));
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'stored fare settings do not open: publishing the defaults again');
      return undefined;
    }
  }

  /** The gateway's certified signing key for `type` (never the root: keys/signing-keys.ts, gateway-keys.ts). */
  private signer(type: string): BundleSigner {
    return readBundleSigner(this.options.keysDir, type, { allowRoot: false });
  }

  /**
   * The keys CLI changed the keys directory (keys-dir-watch.ts): a newer trust list or a
   * newer deny list there is recorded and published like one made through the API.
   */
  async keysDirChanged(file: 'trust' | 'deny'): Promise<void> {
    const root = readRootPublicKey(this.options.keysDir);
    if (file === 'trust') {
      const held = await this.ledger.latestBundle('trust');
      const bytes = readBundle(this.options.keysDir, KEYS_FILES.trustList);
      if (held && openTrustList(bytes, root).version <= held.version) return;
      const version = await this.publishTrustList();
      this.logger.info({ version }, 'trust list changed in the keys directory: published');
      return;
    }
    const onDisk = openDenyList(readBundle(this.options.keysDir, KEYS_FILES.denyList), root);
    if (this.retainedDeny && onDisk.version <= this.retainedDeny.version) return;
    await this.record('deny', readBundle(this.options.keysDir, KEYS_FILES.denyList));
    await this.publishFullDenyList();
    this.logger.info({ version: onDisk.version }, 'deny list changed in the keys directory: published');
  }

  private async record(kind: BundleKind, bytes: Uint8Array, version?: number): Promise<void> {
    const root = readRootPublicKey(this.options.keysDir);
    const resolved =
      version ?? (kind === 'trust' ? openTrustList(bytes, root).version : openDenyList(bytes, root).version);
    await this.ledger.putBundle({ type: kind, version: resolved, bytes, publishedAt: Date.now() });
  }
}
