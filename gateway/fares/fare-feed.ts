/**
 * A loaded, validated fare feed: the GTFS Fares v2 files and fare_policy.json, indexed
 * for rating. Built only by `loadFeed`/`parseFeed`; rating never changes it.
 */

export interface FarePrice {
  fareProductId: string;
  fareProductName: string;
  /** Empty: the row applies to any rider category. */
  riderCategoryId: string;
  /** Empty: the row applies to any fare medium. */
  fareMediaId: string;
  amountMinor: number;
  currency: string;
  line: number;
}

export interface LegRule {
  /** 0-based position in fare_leg_rules.txt (ties are broken by it). */
  index: number;
  line: number;
  legGroupId: string;
  networkId: string;
  fromAreaId: string;
  toAreaId: string;
  fromTimeframeGroupId: string;
  toTimeframeGroupId: string;
  fareProductId: string;
  rulePriority: number;
}

export type FareTransferType = 0 | 1 | 2;
export type DurationLimitType = 0 | 1 | 2 | 3;

export interface TransferRule {
  index: number;
  line: number;
  fromLegGroupId: string;
  toLegGroupId: string;
  /** −1 = unlimited; undefined when the rule links two different leg groups. */
  transferCount: number | undefined;
  durationLimitSeconds: number | undefined;
  durationLimitType: DurationLimitType | undefined;
  fareTransferType: FareTransferType;
  /** Empty: the transfer itself costs nothing. */
  fareProductId: string;
}

export interface Timeframe {
  groupId: string;
  /** Seconds after local midnight; the interval is [start, end). */
  startSeconds: number;
  endSeconds: number;
  serviceId: string;
}

export interface ServiceCalendar {
  /** service_id → weekday flags, Sunday first (as Date.getUTCDay()), and the date range as local day numbers. */
  weekly: Map<string, { days: boolean[]; firstDay: number; lastDay: number }>;
  /** `${service_id} ${local day number}` → true (added) or false (removed). */
  exceptions: Map<string, boolean>;
}

export interface TapOutPolicy {
  networkId: string;
  incompleteFareProductId: string;
  sameStationCancelMinutes: number;
  maxJourneyMinutes: number;
}

export type CapPeriod = 'service_day' | 'week' | 'rolling';

export interface CapPolicy {
  capId: string;
  networks: string[];
  period: CapPeriod;
  /** Length of a rolling window in days (7 for `week`, 1 for `service_day`). */
  days: number;
  fareProductId: string;
}

export interface FareFeed {
  timezone: string;
  /** Minutes after local midnight at which a service day starts (04:30 → 270). */
  serviceDayStartMinutes: number;
  /** The one currency of every price in the feed. */
  currency: string;
  stopNames: Map<string, string>;
  /** stop_id → its station (parent_station, or itself). */
  stationOf: Map<string, string>;
  /** stop_id → every area holding it directly or through its parent station. */
  areasOfStop: Map<string, string[]>;
  areaNames: Map<string, string>;
  networkNames: Map<string, string>;
  routeNetwork: Map<string, string>;
  /** route_id → agency_id (the only agency when the route names none and there is one); for settlement. */
  routeAgency: Map<string, string>;
  /** agency_id → agency_name. */
  agencyNames: Map<string, string>;
  categoryNames: Map<string, string>;
  defaultCategoryId: string;
  /** fare_product_id → its price rows. */
  prices: Map<string, FarePrice[]>;
  legRules: LegRule[];
  /** Whether fare_leg_rules.txt has a rule_priority column (changes what an empty field means). */
  hasRulePriority: boolean;
  /** Values that appear in each fare_leg_rules.txt column (for the "all others" meaning of empty). */
  listed: {
    networks: Set<string>;
    fromAreas: Set<string>;
    toAreas: Set<string>;
    fromTimeframes: Set<string>;
    toTimeframes: Set<string>;
    fromLegGroups: Set<string>;
    toLegGroups: Set<string>;
  };
  transferRules: TransferRule[];
  timeframes: Map<string, Timeframe[]>;
  calendar: ServiceCalendar;
  tapOut: Map<string, TapOutPolicy>;
  /** Caps, narrowest first (shorter period, then fewer networks, then cap_id). */
  caps: CapPolicy[];
}
