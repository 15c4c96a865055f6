/**
 * fare_policy.json: what GTFS does not describe yet (service day start, time zone,
 * tap-out networks, caps). Every problem is reported with its JSON path.
 */
import type { CapPeriod, CapPolicy, TapOutPolicy } from './fare-feed.ts';
import type { FeedProblem } from './feed-problem.ts';
import { isTimeZone } from './read-places.ts';

export const POLICY_FILE = 'fare_policy.json';

export interface FarePolicy {
  serviceDayStartMinutes: number;
  timezone: string | undefined;
  tapOut: TapOutPolicy[];
  caps: CapPolicy[];
}

export interface PolicyRefs {
  networks: ReadonlyMap<string, string>;
  products: ReadonlyMap<string, unknown>;
}

const PERIOD_DAYS: Record<CapPeriod, number> = { service_day: 1, week: 7, rolling: 0 };

type Json = Record<string, unknown>;

class PolicyChecker {
  constructor(readonly problems: FeedProblem[], private readonly refs: PolicyRefs) {}

  problem(path: string, message: string): void {
    this.problems.push({ file: POLICY_FILE, field: path, message });
  }

  object(value: unknown, path: string): Json | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    this.problem(path, 'must be an object');
    return undefined;
  }

  array(value: unknown, path: string): unknown[] {
    if (value === undefined) return [];
    if (Array.isArray(value)) return value;
    this.problem(path, 'must be an array');
    return [];
  }

  string(value: unknown, path: string): string {
    if (typeof value === 'string' && value !== '') return value;
    this.problem(path, value === undefined ? 'is required' : 'must be a non-empty string');
    return '';
  }

  integer(value: unknown, path: string, min: number, fallback?: number): number {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
    this.problem(path, value === undefined ? 'is required' : `must be a whole number of at least ${min}`);
    return min;
  }

  ref(value: unknown, path: string, ids: ReadonlyMap<string, unknown>, what: string): string {
    const id = this.string(value, path);
    if (id !== '' && !ids.has(id)) this.problem(path, `${what} "${id}" is not in the feed`);
    return id;
  }

  tapOut(value: unknown, path: string): TapOutPolicy | undefined {
    const entry = this.object(value, path);
    if (!entry) return undefined;
    return {
      networkId: this.ref(entry.network_id, `${path}.network_id`, this.refs.networks, 'network'),
      incompleteFareProductId: this.ref(entry.incomplete_fare_product_id, `${path}.incomplete_fare_product_id`, this.refs.products, 'fare product'),
      sameStationCancelMinutes: this.integer(entry.same_station_cancel_minutes, `${path}.same_station_cancel_minutes`, 0, 0),
      maxJourneyMinutes: this.integer(entry.max_journey_minutes, `${path}.max_journey_minutes`, 1),
    };
  }

  cap(value: unknown, path: string): CapPolicy | undefined {
    const entry = this.object(value, path);
    if (!entry) return undefined;
    const networks = this.array(entry.networks, `${path}.networks`).map((network, index) => this.ref(network, `${path}.networks[${index}]`, this.refs.networks, 'network'));
    if (entry.networks === undefined || networks.length === 0) this.problem(`${path}.networks`, 'must list at least one network');
    const period = entry.period;
    if (period !== 'service_day' && period !== 'week' && period !== 'rolling') {
      this.problem(`${path}.period`, 'must be "service_day", "week" or "rolling"');
      return undefined;
    }
    if (period !== 'rolling' && entry.days !== undefined) this.problem(`${path}.days`, 'is only for "rolling" caps');
    return {
      capId: this.string(entry.cap_id, `${path}.cap_id`),
      networks,
      period,
      days: period === 'rolling' ? this.integer(entry.days, `${path}.days`, 1) : PERIOD_DAYS[period],
      fareProductId: this.ref(entry.fare_product_id, `${path}.fare_product_id`, this.refs.products, 'fare product'),
    };
  }
}

function serviceDayStart(checker: PolicyChecker, value: unknown): number {
  const match = typeof value === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value) : null;
  if (match) return Number(match[1]) * 60 + Number(match[2]);
  checker.problem('$.service_day_start', value === undefined ? 'is required (e.g. "04:30")' : 'must be a local time "HH:MM" from 00:00 to 23:59');
  return 0;
}

/** Reads the policy; `text` undefined = the file is missing (a problem). */
export function readFarePolicy(text: string | undefined, refs: PolicyRefs, problems: FeedProblem[]): FarePolicy {
  const empty: FarePolicy = { serviceDayStartMinutes: 0, timezone: undefined, tapOut: [], caps: [] };
  if (text === undefined) {
    problems.push({ file: POLICY_FILE, message: 'file is missing' });
    return empty;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    problems.push({ file: POLICY_FILE, field: '$', message: `is not JSON (${(error as Error).message})` });
    return empty;
  }
  const checker = new PolicyChecker(problems, refs);
  const root = checker.object(parsed, '$');
  if (!root) return empty;
  let timezone: string | undefined;
  if (root.timezone !== undefined) {
    timezone = checker.string(root.timezone, '$.timezone');
    if (timezone !== '' && !isTimeZone(timezone)) checker.problem('$.timezone', `"${timezone}" is not an IANA time zone`);
  }
  const tapOut: TapOutPolicy[] = [];
  const seenNetworks = new Set<string>();
  checker.array(root.tap_out, '$.tap_out').forEach((value, i) => {
    const entry = checker.tapOut(value, `$.tap_out[${i}]`);
    if (!entry) return;
    if (seenNetworks.has(entry.networkId)) checker.problem(`$.tap_out[${i}].network_id`, `network "${entry.networkId}" is listed twice`);
    seenNetworks.add(entry.networkId);
    tapOut.push(entry);
  });
  const caps: CapPolicy[] = [];
  const seenCaps = new Set<string>();
  checker.array(root.caps, '$.caps').forEach((value, i) => {
    const cap = checker.cap(value, `$.caps[${i}]`);
    if (!cap) return;
    if (seenCaps.has(cap.capId)) checker.problem(`$.caps[${i}].cap_id`, `"${cap.capId}" is used twice`);
    seenCaps.add(cap.capId);
    caps.push(cap);
  });
  return { serviceDayStartMinutes: serviceDayStart(checker, root.service_day_start), timezone, tapOut, caps };
}
