/**
 * The gate's trusted clock (architecture.md, "Time"; docs/protocol.md, "Time beacons"). An
 * attacker who rolls the clock back wins expired tickets, so the validator only vouches for its
 * time when it has a trusted source: a signed time beacon carried forward with the monotonic
 * clock, or, when configured, the system clock (an RTC kept by NTP). Readings never go back past
 * the highest trusted time seen (the high-water mark, kept on disk across restarts).
 *
 * Only trusted time moves the high-water mark: a system clock that jumps ahead at boot (no RTC,
 * a bad fake-hwclock) would otherwise drag it into the future, and then freeze every timestamp
 * and refuse every correct beacon. A source behind the mark by more than the tolerance makes the
 * clock `frozen`: it stands still and is not trusted until the source catches up.
 */
import type { Logger } from 'pino';
import type { ClockReading } from '../check/ticket-checker.ts';
import { EMPTY_CLOCK_STATE, readClockState, writeClockState, type SavedClockState } from './clock-state-file.ts';

export interface TimeSources {
  /** Wall clock, Unix ms (Date.now). */
  wallMs(): number;
  /** Monotonic ms (performance.now): never jumps, unaffected by settimeofday. */
  monotonicMs(): number;
}

export const systemTimeSources: TimeSources = {
  wallMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};

export interface TrustedClockOptions {
  /** Where the high-water mark, the last beacon and the last reset are kept. */
  stateFile: string;
  /** Trust the system clock without beacons (a Pi 5 RTC kept by NTP). */
  trustSystemClock: boolean;
  /** An anchor older than this no longer vouches (crystal drift), ms. */
  maxAnchorAgeMs: number;
  /** How often the state is written (SD-card wear), ms. */
  persistIntervalMs: number;
  /**
   * A beacon further ahead of the live trusted time than this is refused: one wrong gateway
   * clock must not push the fleet into the future. Without live trusted time (cold boot, anchor
   * expired) there is nothing to measure against, and the first valid beacon is taken.
   */
  maxBeaconAheadMs: number;
}

/**
 * `anchored`: on a beacon (which outranks the system clock); `system`: on the trusted system
 * clock; `frozen`: that source is behind the high-water mark, so the clock stands still,
 * untrusted; `unanchored`: no trusted source.
 */
export type ClockStatus = 'anchored' | 'system' | 'frozen' | 'unanchored';

/** Why a signed, valid beacon was not taken. */
export type BeaconDropReason = 'duplicate' | 'behind' | 'too-far-ahead';
export type BeaconVerdict = { taken: true } | { taken: false; reason: BeaconDropReason; referenceMs: number };

/** How far a source may lag the high-water mark and still be trusted (NTP steps, beacon transit). */
export const ROLLBACK_TOLERANCE_MS = 1000;

export class TrustedClock {
  private saved: SavedClockState = EMPTY_CLOCK_STATE;
  private anchor: { wallMs: number; monotonicMs: number } | undefined;
  private persisted = '';
  private persistTimer: NodeJS.Timeout | undefined;
  /** Set when the system clock at start or a beacon was found behind the high-water mark. */
  rollbackDetected = false;

  constructor(
    private readonly options: TrustedClockOptions,
    private readonly sources: TimeSources,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.saved = readClockState(this.options.stateFile);
    this.persisted = JSON.stringify(this.saved);
    if (this.sources.wallMs() + ROLLBACK_TOLERANCE_MS < this.saved.highWaterMs) {
      this.rollbackDetected = true;
      this.logger.warn({ highWater: iso(this.saved.highWaterMs) }, 'system clock is behind the highest trusted time seen: not trusting it');
    }
    // Written on a timer, never on the decision path: one small write a minute.
    this.persistTimer = setInterval(() => {
      this.read();
      this.persist();
    }, this.options.persistIntervalMs);
    this.persistTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.persistTimer);
    this.read();
    this.persist();
  }

  /**
   * Anchors on a verified beacon, unless it is the one already taken (a duplicate delivery), is
   * behind the last one taken or the trusted time (a replay, or a rollback), or is too far ahead.
   */
  anchorTo(beaconMs: number): BeaconVerdict {
    this.read(); // brings the high-water mark up to the trusted time
    const { lastBeaconMs, highWaterMs } = this.saved;
    if (beaconMs === lastBeaconMs) return { taken: false, reason: 'duplicate', referenceMs: lastBeaconMs };
    // A trusted system clock may run a little fast: beacons are then measured against beacons.
    const floor = this.options.trustSystemClock ? Math.max(lastBeaconMs, this.anchoredMs() ?? 0) : highWaterMs;
    if (beaconMs < lastBeaconMs || beaconMs + ROLLBACK_TOLERANCE_MS < floor) {
      this.rollbackDetected = true;
      return { taken: false, reason: 'behind', referenceMs: Math.max(floor, lastBeaconMs) };
    }
    const live = this.source();
    if (live.trusted && beaconMs - live.ms > this.options.maxBeaconAheadMs) {
      return { taken: false, reason: 'too-far-ahead', referenceMs: live.ms };
    }
    this.anchor = { wallMs: beaconMs, monotonicMs: this.sources.monotonicMs() };
    this.saved = { ...this.saved, lastBeaconMs: beaconMs };
    return { taken: true };
  }

  /**
   * Applies a verified clock reset command once: the high-water mark becomes its time, the anchor
   * and the last beacon are forgotten, and the next beacon anchors the clock again. Written at
   * once, so a restart cannot bring the old mark back. Returns false for a version already applied.
   */
  reset(command: { version: number; resetToMs: number; reason?: string }): boolean {
    if (command.version <= this.saved.resetVersion) return false;
    const before = this.saved.highWaterMs;
    this.saved = { highWaterMs: command.resetToMs, lastBeaconMs: 0, resetVersion: command.version };
    this.anchor = undefined;
    this.rollbackDetected = false;
    this.persist();
    this.logger.warn(
      { version: command.version, from: iso(before), to: iso(command.resetToMs), reason: command.reason },
      'clock reset by a signed command',
    );
    return true;
  }

  get status(): ClockStatus {
    const anchored = this.anchoredMs();
    const floor = this.saved.highWaterMs - ROLLBACK_TOLERANCE_MS;
    // A live beacon anchor outranks the system clock, even a trusted one: the beacon is signed.
    if (anchored !== undefined) return anchored >= floor ? 'anchored' : 'frozen';
    if (this.options.trustSystemClock) return this.sources.wallMs() >= floor ? 'system' : 'frozen';
    return 'unanchored';
  }

  /** The highest trusted time seen, Unix ms. */
  get highWaterMs(): number {
    return this.saved.highWaterMs;
  }

  /** The time for a decision, and whether the gate can vouch for it. */
  now(): ClockReading {
    const { ms, trusted } = this.read();
    return { seconds: ms / 1000, trusted };
  }

  nowMs(): number {
    return this.read().ms;
  }

  /** The current source's time, not held at the high-water mark, and whether it is trusted. */
  private source(): { ms: number; trusted: boolean } {
    const status = this.status;
    const ms = this.anchoredMs() ?? this.sources.wallMs();
    return { ms, trusted: status === 'anchored' || status === 'system' };
  }

  /** Never backwards past the high-water mark (a rolled-back clock only stalls); only trusted time raises it. */
  private read(): { ms: number; trusted: boolean } {
    const { ms, trusted } = this.source();
    if (trusted && ms > this.saved.highWaterMs) this.saved = { ...this.saved, highWaterMs: ms };
    return { ms: Math.max(ms, this.saved.highWaterMs), trusted };
  }

  /** The beacon time carried forward, while the anchor is young enough to vouch. */
  private anchoredMs(): number | undefined {
    if (!this.anchor) return undefined;
    const age = this.sources.monotonicMs() - this.anchor.monotonicMs;
    return age <= this.options.maxAnchorAgeMs ? this.anchor.wallMs + age : undefined;
  }

  private persist(): void {
    const text = JSON.stringify(this.saved);
    if (text === this.persisted) return;
    try {
      writeClockState(this.options.stateFile, this.saved);
      this.persisted = text;
    } catch (error) {
      this.logger.error({ err: error }, 'could not persist the clock state');
    }
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
