/**
 * The gate's trusted clock (architecture.md, "Time"). An attacker who rolls the
 * clock back wins expired tickets, so the validator only vouches for its time when
 * it is anchored: a signed time beacon (or, when configured, an RTC + NTP system
 * clock), carried forward with the monotonic clock and never moved back past the
 * highest time it has seen, which is kept on disk across restarts.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../../runtime/atomic-file.ts';
import type { ClockReading } from '../check/ticket-checker.ts';

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
  /** Where the high-water mark is kept. */
  stateFile: string;
  /** Trust the system clock without beacons (a Pi 5 RTC kept by NTP). */
  trustSystemClock: boolean;
  /** An anchor older than this no longer vouches (crystal drift), ms. */
  maxAnchorAgeMs: number;
  /** How often the high-water mark is written (SD-card wear), ms. */
  persistIntervalMs: number;
}

export type ClockStatus = 'anchored' | 'system' | 'unanchored';

export class TrustedClock {
  private highWaterMs = 0;
  private anchor: { wallMs: number; monotonicMs: number } | undefined;
  private persistedMs = 0;
  private persistTimer: NodeJS.Timeout | undefined;
  /** Set when the system clock or a beacon was found behind a time already seen. */
  rollbackDetected = false;

  constructor(
    private readonly options: TrustedClockOptions,
    private readonly sources: TimeSources,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (existsSync(this.options.stateFile)) {
      const saved = JSON.parse(readFileSync(this.options.stateFile, 'utf8')) as { highWaterMs?: unknown };
      if (typeof saved.highWaterMs === 'number' && Number.isFinite(saved.highWaterMs)) this.highWaterMs = saved.highWaterMs;
    }
    this.persistedMs = this.highWaterMs;
    if (this.sources.wallMs() < this.highWaterMs) {
      this.rollbackDetected = true;
      this.logger.warn({ highWater: new Date(this.highWaterMs).toISOString() }, 'system clock is behind the highest time seen: not trusting it');
    }
    // Written on a timer, never on the decision path: one small write a minute.
    this.persistTimer = setInterval(() => {
      this.readMs();
      this.persist();
    }, this.options.persistIntervalMs);
    this.persistTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.persistTimer);
    this.readMs();
    this.persist();
  }

  /** Anchors on a verified beacon; refuses one behind the high-water mark (replay or rollback). */
  anchorTo(beaconMs: number): boolean {
    if (beaconMs + 1000 < this.highWaterMs) {
      this.rollbackDetected = true;
      this.logger.warn({ beacon: new Date(beaconMs).toISOString() }, 'time beacon behind the highest time seen: refused');
      return false;
    }
    this.anchor = { wallMs: beaconMs, monotonicMs: this.sources.monotonicMs() };
    return true;
  }

  get status(): ClockStatus {
    if (this.anchor && this.sources.monotonicMs() - this.anchor.monotonicMs <= this.options.maxAnchorAgeMs) return 'anchored';
    if (this.options.trustSystemClock && !this.rollbackDetected) return 'system';
    return 'unanchored';
  }

  /** The time for a decision, and whether the gate can vouch for it. */
  now(): ClockReading {
    const status = this.status;
    return { seconds: this.readMs() / 1000, trusted: status !== 'unanchored' };
  }

  nowMs(): number {
    return this.readMs();
  }

  private readMs(): number {
    const base = this.anchor && this.status === 'anchored'
      ? this.anchor.wallMs + (this.sources.monotonicMs() - this.anchor.monotonicMs)
      : this.sources.wallMs();
    // Never backwards past what was already seen: a rolled-back clock only stalls.
    const ms = Math.max(base, this.highWaterMs);
    this.highWaterMs = ms;
    return ms;
  }

  private persist(): void {
    if (this.highWaterMs === this.persistedMs) return;
    try {
      writeFileAtomic(this.options.stateFile, JSON.stringify({ highWaterMs: this.highWaterMs }));
      this.persistedMs = this.highWaterMs;
    } catch (error) {
      this.logger.error({ err: error }, 'could not persist the clock high-water mark');
    }
  }
}
