/**
 * Loads a fare feed: a directory of GTFS Fares v2 files plus fare_policy.json. Every
 * problem (file, line, field or JSON path) is collected and thrown at once as a
 * FareInputError; a feed that loads is internally consistent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapPolicy, FareFeed } from './fare-feed.ts';
import { FareInputError, type FeedProblem } from './feed-problem.ts';
import { GtfsReader } from './gtfs-table.ts';
import { readTimeframes } from './read-calendar.ts';
import { readFarePolicy, POLICY_FILE } from './read-fare-policy.ts';
import { readFareRules } from './read-fare-rules.ts';
import { readPlaces } from './read-places.ts';

/** Reads every `*.txt` and fare_policy.json of `dir`; throws FareInputError when unreadable. */
export function readFeedFiles(dir: string): Map<string, string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new FareInputError([{ file: dir, message: `cannot read the feed directory (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  const files = new Map<string, string>();
  for (const name of names.filter((file) => file.endsWith('.txt') || file === POLICY_FILE)) {
    try {
      files.set(name, readFileSync(join(dir, name), 'utf8'));
    } catch (error) {
      throw new FareInputError([{ file: name, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
    }
  }
  return files;
}

function capOrder(a: CapPolicy, b: CapPolicy): number {
  return a.days - b.days || a.networks.length - b.networks.length || (a.capId < b.capId ? -1 : a.capId > b.capId ? 1 : 0);
}

/** Builds a feed from file contents (name → text). Throws FareInputError listing every problem. */
export function parseFeed(files: ReadonlyMap<string, string>): FareFeed {
  const problems: FeedProblem[] = [];
  const gtfs = new GtfsReader(files, problems);
  const places = readPlaces(gtfs);
  const { timeframes, calendar } = readTimeframes(gtfs);
  const rules = readFareRules(gtfs, { networks: places.networkNames, areas: places.areaNames, timeframeGroups: new Set(timeframes.keys()) });
  const policy = readFarePolicy(files.get(POLICY_FILE), { networks: places.networkNames, products: rules.prices }, problems);
  const timezone = policy.timezone ?? places.agencyTimezone;
  if (timezone === undefined) problems.push({ file: POLICY_FILE, field: '$.timezone', message: 'no time zone: set it here or agency_timezone in agency.txt' });
  if (rules.categoryNames.size > 0 && rules.defaultCategoryId === '') {
    problems.push({ file: 'rider_categories.txt', field: 'is_default_fare_category', message: 'no category is marked as the default (is_default_fare_category=1)' });
  }
  if (problems.length > 0) throw new FareInputError(problems);
  const legRules = rules.legRules;
  const listedOf = (pick: (rule: (typeof legRules)[number]) => string) => new Set(legRules.map(pick).filter((id) => id !== ''));
  return {
    timezone: timezone!,
    serviceDayStartMinutes: policy.serviceDayStartMinutes,
    currency: rules.currency,
    stopNames: places.stopNames,
    stationOf: places.stationOf,
    areasOfStop: places.areasOfStop,
    areaNames: places.areaNames,
    networkNames: places.networkNames,
    routeNetwork: places.routeNetwork,
    routeAgency: places.routeAgency,
    agencyNames: places.agencyNames,
    categoryNames: rules.categoryNames,
    defaultCategoryId: rules.defaultCategoryId,
    prices: rules.prices,
    legRules,
    hasRulePriority: rules.hasRulePriority,
    listed: {
      networks: listedOf((rule) => rule.networkId),
      fromAreas: listedOf((rule) => rule.fromAreaId),
      toAreas: listedOf((rule) => rule.toAreaId),
      fromTimeframes: listedOf((rule) => rule.fromTimeframeGroupId),
      toTimeframes: listedOf((rule) => rule.toTimeframeGroupId),
      fromLegGroups: new Set(rules.transferRules.map((rule) => rule.fromLegGroupId).filter((id) => id !== '')),
      toLegGroups: new Set(rules.transferRules.map((rule) => rule.toLegGroupId).filter((id) => id !== '')),
    },
    transferRules: rules.transferRules,
    timeframes,
    calendar,
    tapOut: new Map(policy.tapOut.map((entry) => [entry.networkId, entry])),
    caps: [...policy.caps].sort(capOrder),
  };
}

/** Loads and validates the feed in `dir`. */
export function loadFeed(dir: string): FareFeed {
  return parseFeed(readFeedFiles(dir));
}
