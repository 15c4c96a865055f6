/**
 * The one parser for times given by people: CLI options and the HTTP API. Only a full
 * RFC 3339 date-time with a zone is taken (`2026-11-27T08:00:00Z`, `...+01:00`):
 * `Date.parse` alone rolls `2026-02-30` over to March 2 and reads a time without a
 * zone as the machine's local time, so a ticket would be valid in another hour than
 * the operator meant.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))?$/;

export const ISO_TIME_EXAMPLE = '2026-11-27T08:00:00Z';

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Why `text` is not an ISO 8601 time with a zone, or undefined when it is one. */
export function isoTimeProblem(text: string): string | undefined {
  const match = RFC3339.exec(text);
  if (!match) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return 'a date alone is not a time: add a time and a zone (T00:00:00Z)';
    return `not an ISO 8601 time (e.g. ${ISO_TIME_EXAMPLE})`;
  }
  const [, year, month, day, hour, minute, second, , zulu, sign, zoneHour, zoneMinute] = match;
  if (zulu === undefined && sign === undefined) return 'the time has no zone: add Z (UTC) or an offset like +01:00';
  const m = Number(month);
  if (m < 1 || m > 12) return `there is no month ${month}`;
  if (Number(day) < 1 || Number(day) > daysInMonth(Number(year), m)) return `there is no day ${day} in ${year}-${month}`;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return `${hour}:${minute}${second === undefined ? '' : `:${second}`} is not a time of day`;
  if (sign !== undefined && (Number(zoneHour) > 23 || Number(zoneMinute) > 59)) return `${sign}${zoneHour}:${zoneMinute} is not a zone offset`;
  return undefined;
}

/** Unix milliseconds of an ISO 8601 time with a zone; throws RangeError saying why otherwise. */
export function parseIsoTimeMs(text: string): number {
  const problem = isoTimeProblem(text);
  if (problem !== undefined) throw new RangeError(problem);
  return Date.parse(text.replace(' ', 'T'));
}
