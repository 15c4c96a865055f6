/**
 * Local time in the feed's time zone through Intl (node ships full ICU), so service
 * days, weeks and timeframes stay right across daylight-saving changes. The UTC
 * offset is cached per 15-minute slice whose two ends agree; a slice holding a
 * transition is computed exactly for each instant.
 */

const DAY_MS = 86_400_000;
const SLICE_MS = 900_000;

export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly sliceOffsets = new Map<number, number>();

  constructor(readonly timezone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  /** Local wall-clock time of `ms`, as milliseconds since 1970-01-01T00:00 local. */
  wallTime(ms: number): number {
    return ms + this.offsetAt(ms);
  }

  /** Days since 1970-01-01 of the local calendar date. */
  localDay(ms: number): number {
    return Math.floor(this.wallTime(ms) / DAY_MS);
  }

  /** Seconds after local midnight. */
  secondsOfDay(ms: number): number {
    const wall = this.wallTime(ms);
    return Math.floor((wall - Math.floor(wall / DAY_MS) * DAY_MS) / 1000);
  }

  /** The service day (days since 1970-01-01) holding `ms`, when days start `startMinutes` after local midnight. */
  serviceDay(ms: number, startMinutes: number): number {
    return Math.floor((this.wallTime(ms) - startMinutes * 60_000) / DAY_MS);
  }

  /** The instant at which local wall time `wall` (ms) occurs; the earlier one in a repeated hour, the shifted one in a skipped hour. */
  instantOf(wall: number): number {
    // Offsets a day either side bracket any transition near `wall`.
    const before = wall - this.offsetAt(wall - DAY_MS);
    const after = wall - this.offsetAt(wall + DAY_MS);
    const fits = [before, after].filter((instant) => this.wallTime(instant) === wall);
    return fits.length > 0 ? Math.min(...fits) : before;
  }

  offsetAt(ms: number): number {
    const slice = Math.floor(ms / SLICE_MS);
    let offset = this.sliceOffsets.get(slice);
    if (offset === undefined) {
      const first = this.exactOffset(slice * SLICE_MS);
      offset = first === this.exactOffset(slice * SLICE_MS + SLICE_MS - 1000) ? first : NaN;
      this.sliceOffsets.set(slice, offset);
    }
    return Number.isNaN(offset) ? this.exactOffset(ms) : offset;
  }

  private exactOffset(ms: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    return wall - Math.floor(ms / 1000) * 1000;
  }
}

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday starting the week of `day` (1970-01-01 was a Thursday). */
export function mondayOf(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}

/** 0 = Sunday … 6 = Saturday, as in Date.getUTCDay(). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}
