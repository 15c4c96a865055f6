/**
 * The validator's signed downlink state: trust list, deny list (+ deltas), fare
 * settings and the last gate command. Every bundle is verified through the pinned root
 * key (signed by it, or by a signing key it certified and has not revoked), never rolled back, applied between two decisions (no restart, no tap in flight
 * dropped: the event loop runs one at a time) and kept on disk, so a gate that boots
 * without a network starts with the last good bundles.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../../runtime/atomic-file.ts';
import {
  openFareSettings,
  openGateCommand,
  type FareSettings,
  type GateCommand,
} from '../../protocol/bundles/downlink-bundles.ts';
import { BundleError, checkNotRollback, type BundleAnchor } from '../../protocol/bundles/signed-bundle.ts';
import type { BundleKind } from '../../protocol/mqtt/topics.ts';
import type { TrustStore } from '../check/trust-store.ts';

export type DownlinkKind = BundleKind | 'command';

export interface ApplyOutcome {
  /**
   * 'deferred': a deny delta made on a newer list than the held one, kept until that list arrives.
   * 'older': a full deny list behind the held version (deltas moved past it): ignored, not refused.
   */
  status: 'applied' | 'same' | 'deferred' | 'older' | 'refused';
  reason?: string;
}

export interface BundleStoreListeners {
  onFares(settings: FareSettings): void;
  onCommand(command: GateCommand): void;
}

export interface BundleVersions {
  trust?: number;
  deny?: number;
  fares?: number;
  command?: number;
}

const DELTAS_DIR = 'deny-deltas';

export class BundleStore {
  private fares: FareSettings | undefined;
  private command: GateCommand | undefined;
  // Retained messages come in any order: a delta may arrive before the full list it needs.
  private deferredDelta: Uint8Array | undefined;

  constructor(
    private readonly options: { dir: string; device: string; seeds?: { trust?: string; deny?: string } },
    private readonly trust: TrustStore,
    private readonly listeners: BundleStoreListeners,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    mkdirSync(join(this.options.dir, DELTAS_DIR), { recursive: true, mode: 0o700 });
    for (const kind of ['trust', 'deny', 'fares', 'command'] as const) {
      const path = this.pathOf(kind);
      if (existsSync(path)) this.load(kind, path, false);
    }
    const deltas = readdirSync(join(this.options.dir, DELTAS_DIR))
      .filter((name) => /^\d+\.cbor$/.test(name))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    for (const name of deltas) this.load('deny-delta', join(this.options.dir, DELTAS_DIR, name), false);
    // First boot: bundles installed with the gate (e.g. copied from a keys directory).
    if (this.trust.trustVersion === undefined && this.options.seeds?.trust) this.load('trust', this.options.seeds.trust, true);
    if (this.trust.denyVersion === undefined && this.options.seeds?.deny) this.load('deny', this.options.seeds.deny, true);
    if (this.trust.trustVersion === undefined) {
      this.logger.warn('no trust list yet: every ticket is refused (unknown_key) until one arrives');
    }
  }

  async stop(): Promise<void> {}

  /** What every bundle (time beacons too) is verified against: the root key and the held trust list's revocations. */
  get anchor(): BundleAnchor {
    return this.trust;
  }

  versions(): BundleVersions {
    const versions: BundleVersions = {};
    if (this.trust.trustVersion !== undefined) versions.trust = this.trust.trustVersion;
    if (this.trust.denyVersion !== undefined) versions.deny = this.trust.denyVersion;
    if (this.fares) versions.fares = this.fares.version;
    if (this.command) versions.command = this.command.version;
    return versions;
  }

  /** Verifies, applies and persists a received bundle; never throws. */
  receive(kind: DownlinkKind, bytes: Uint8Array): ApplyOutcome {
    try {
      const applied = this.apply(kind, bytes);
      const status = applied === 'waits-for-base' ? 'deferred' : applied;
      if (status === 'deferred') this.deferredDelta = bytes;
      if (status === 'applied') this.persist(kind, bytes);
      this.logger.info({ kind, status, versions: this.versions() }, `${kind} bundle ${status}`);
      if (status === 'applied' && kind === 'deny') this.retryDeferredDelta();
      return { status };
    } catch (error) {
      const reason = (error as Error).message;
      this.logger.warn({ kind, reason }, `${kind} bundle refused`);
      return { status: 'refused', reason };
    }
  }

  private retryDeferredDelta(): void {
    const delta = this.deferredDelta;
    this.deferredDelta = undefined;
    if (delta) this.receive('deny-delta', delta);
  }

  private load(kind: DownlinkKind, path: string, persist: boolean): void {
    try {
      const bytes = new Uint8Array(readFileSync(path));
      if (this.apply(kind, bytes) === 'applied' && persist) this.persist(kind, bytes);
    } catch (error) {
      this.logger.error({ kind, path, reason: (error as Error).message }, 'stored bundle not loaded');
    }
  }

  private apply(kind: DownlinkKind, bytes: Uint8Array): 'applied' | 'same' | 'older' | 'waits-for-base' {
    switch (kind) {
      case 'trust':
        return this.trust.applyTrustList(bytes);
      case 'deny':
        return this.trust.applyDenyList(bytes);
      case 'deny-delta':
        return this.trust.applyDenyDelta(bytes);
      case 'fares': {
        const fares = openFareSettings(bytes, this.trust);
        if (checkNotRollback('fare settings', this.fares?.version, fares.version) === 'same') return 'same';
        this.fares = fares;
        this.listeners.onFares(fares);
        return 'applied';
      }
      case 'command': {
        const command = openGateCommand(bytes, this.trust);
        if (command.device !== this.options.device) {
          throw new BundleError(`command is for device ${command.device}, not ${this.options.device}`);
        }
        if (checkNotRollback('command', this.command?.version, command.version) === 'same') return 'same';
        this.command = command;
        this.listeners.onCommand(command);
        return 'applied';
      }
    }
  }

  private pathOf(kind: Exclude<DownlinkKind, 'deny-delta'>): string {
    return join(this.options.dir, `${kind}.cbor`);
  }

  private persist(kind: DownlinkKind, bytes: Uint8Array): void {
    try {
      if (kind === 'deny-delta') {
        writeFileAtomic(join(this.options.dir, DELTAS_DIR, `${this.trust.denyVersion}.cbor`), bytes);
        return;
      }
      writeFileAtomic(this.pathOf(kind), bytes);
      // A full deny list replaces every delta before it.
      if (kind === 'deny') {
        rmSync(join(this.options.dir, DELTAS_DIR), { recursive: true, force: true });
        mkdirSync(join(this.options.dir, DELTAS_DIR), { recursive: true, mode: 0o700 });
      }
    } catch (error) {
      this.logger.error({ kind, err: error }, 'could not persist the bundle; it stays applied in memory');
    }
  }
}
