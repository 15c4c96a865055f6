/**
 * Time-dependent fares: timeframes.txt and the service dates it refers to
 * (calendar.txt, calendar_dates.txt), with every reference checked.
 */
import type { ServiceCalendar, Timeframe } from './fare-feed.ts';
import type { GtfsReader } from './gtfs-table.ts';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

function readServiceCalendar(gtfs: GtfsReader): ServiceCalendar {
  const weekly: ServiceCalendar['weekly'] = new Map();
  const seen = new Set<string>();
  for (const row of gtfs.read('calendar.txt', ['service_id', ...WEEKDAYS, 'start_date', 'end_date'], false)) {
    const id = gtfs.text(row, 'service_id');
    const days = WEEKDAYS.map((day) => {
      const flag = gtfs.integer(row, day, 0, 1);
      if (row.get(day) === '') gtfs.text(row, day);
      return flag === 1;
    });
    const firstDay = gtfs.date(row, 'start_date');
    const lastDay = gtfs.date(row, 'end_date');
    if (firstDay !== undefined && lastDay !== undefined && lastDay < firstDay) gtfs.problem(row, 'end_date', 'is before start_date');
    if (id === '' || !gtfs.unique(seen, row, 'service_id', id) || firstDay === undefined || lastDay === undefined) continue;
    weekly.set(id, { days, firstDay, lastDay });
  }
  const exceptions: ServiceCalendar['exceptions'] = new Map();
  const seenDates = new Set<string>();
  for (const row of gtfs.read('calendar_dates.txt', ['service_id', 'date', 'exception_type'], false)) {
    const id = gtfs.text(row, 'service_id');
    const day = gtfs.date(row, 'date');
    const type = gtfs.integer(row, 'exception_type', 1, 2);
    if (row.get('exception_type') === '') gtfs.text(row, 'exception_type');
    if (id === '' || day === undefined || type === undefined) continue;
    if (!gtfs.unique(seenDates, row, 'date', `${id} ${day}`)) continue;
    exceptions.set(`${id} ${day}`, type === 1);
  }
  return { weekly, exceptions };
}

export function serviceIds(calendar: ServiceCalendar): Set<string> {
  return new Set([...calendar.weekly.keys(), ...[...calendar.exceptions.keys()].map((key) => key.slice(0, key.lastIndexOf(' ')))]);
}

export function readTimeframes(gtfs: GtfsReader): { timeframes: Map<string, Timeframe[]>; calendar: ServiceCalendar } {
  const calendar = readServiceCalendar(gtfs);
  const services = serviceIds(calendar);
  const timeframes = new Map<string, Timeframe[]>();
  for (const row of gtfs.read('timeframes.txt', ['timeframe_group_id', 'service_id'], false)) {
    const groupId = gtfs.text(row, 'timeframe_group_id');
    const serviceId = gtfs.text(row, 'service_id');
    if (serviceId !== '' && !services.has(serviceId)) gtfs.problem(row, 'service_id', `service "${serviceId}" is not in calendar.txt or calendar_dates.txt`);
    const start = gtfs.timeOfDay(row, 'start_time');
    const end = gtfs.timeOfDay(row, 'end_time');
    if ((row.get('start_time') === '') !== (row.get('end_time') === '')) gtfs.problem(row, row.get('start_time') === '' ? 'start_time' : 'end_time', 'start_time and end_time are given together or not at all');
    if (start !== undefined && end !== undefined && end <= start) gtfs.problem(row, 'end_time', 'is not after start_time');
    if (groupId === '') continue;
    const list = timeframes.get(groupId) ?? [];
    list.push({ groupId, startSeconds: start ?? 0, endSeconds: end ?? 86_400, serviceId });
    timeframes.set(groupId, list);
  }
  return { timeframes, calendar };
}
