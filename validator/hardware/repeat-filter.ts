import type { Timers } from './timers.ts';

/** Default repeat window: longer than a rider's hesitation, shorter than a rider walking away and coming back. */
export const DEFAULT_REPEAT_WINDOW_MS = 1500;

/**
 * Drops the same code read several times in a row. Readers scan about five times a second, so a
 * phone held still yields a stream of identical reads; that is one tap. The window slides: each
 * repeated read extends it, so a code is reported again only after it has been out of sight (or
 * another code was read) for `windowMs`.
 */
export class RepeatFilter {
  private lastText: string | undefined;
  private lastSeenAt = 0;

  constructor(
    private readonly windowMs: number,
    private readonly timers: Pick<Timers, 'now'>,
  ) {}

  /** True when `text` should be reported, false when it repeats the previous read. */
  accept(text: string): boolean {
    const now = this.timers.now();
    const repeat = text === this.lastText && now - this.lastSeenAt < this.windowMs;
    this.lastText = text;
    this.lastSeenAt = now;
    return !repeat;
  }

  /** Forgets the last code (e.g. on stop), so the next read is always reported. */
  reset(): void {
    this.lastText = undefined;
  }
}
