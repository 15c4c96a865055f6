/**
 * Whether an instant lies in a timeframe group (timeframes.txt): its local time of
 * day is in [start_time, end_time) of a timeframe whose service_id runs on the local
 * date (calendar.txt weekdays and range, calendar_dates.txt exceptions).
 */
import type { FareFeed, ServiceCalendar } from './fare-feed.ts';
import { weekdayOf, type ZoneClock } from './zone-clock.ts';

export function serviceRuns(calendar: ServiceCalendar, serviceId: string, day: number): boolean {
  const exception = calendar.exceptions.get(`${serviceId} ${day}`);
  if (exception !== undefined) return exception;
  const weekly = calendar.weekly.get(serviceId);
  return weekly !== undefined && day >= weekly.firstDay && day <= weekly.lastDay && weekly.days[weekdayOf(day)] === true;
}

export function inTimeframeGroup(feed: FareFeed, clock: ZoneClock, groupId: string, ms: number): boolean {
  const frames = feed.timeframes.get(groupId);
  if (!frames) return false;
  const day = clock.localDay(ms);
  const seconds = clock.secondsOfDay(ms);
  return frames.some((frame) => seconds >= frame.startSeconds && seconds < frame.endSeconds && serviceRuns(feed.calendar, frame.serviceId, day));
}

/** The listed timeframe groups holding `ms`, sorted (part of a memo key). */
export function groupsHolding(feed: FareFeed, clock: ZoneClock, listed: ReadonlySet<string>, ms: number | null): string[] {
  if (ms === null || listed.size === 0) return [];
  return [...listed].filter((group) => inTimeframeGroup(feed, clock, group, ms)).sort();
}
