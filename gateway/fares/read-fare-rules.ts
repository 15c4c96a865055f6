/**
 * The fare part of a feed: rider categories, fare media, fare products (prices in
 * minor units), fare_leg_rules.txt and fare_transfer_rules.txt, with references to
 * networks, areas, timeframes, products and leg groups checked.
 */
import type { DurationLimitType, FarePrice, FareTransferType, LegRule, TransferRule } from './fare-feed.ts';
import type { GtfsReader } from './gtfs-table.ts';
import { parseMinorUnits } from './money.ts';

export interface FareRules {
  categoryNames: Map<string, string>;
  defaultCategoryId: string;
  prices: Map<string, FarePrice[]>;
  currency: string;
  legRules: LegRule[];
  hasRulePriority: boolean;
  transferRules: TransferRule[];
}

export interface KnownIds {
  networks: ReadonlyMap<string, string>;
  areas: ReadonlyMap<string, string>;
  timeframeGroups: ReadonlySet<string>;
}

function readCategories(gtfs: GtfsReader): { names: Map<string, string>; defaultId: string } {
  const names = new Map<string, string>();
  let defaultId = '';
  const seen = new Set<string>();
  for (const row of gtfs.read('rider_categories.txt', ['rider_category_id'], false)) {
    const id = gtfs.text(row, 'rider_category_id');
    if (id === '' || !gtfs.unique(seen, row, 'rider_category_id', id)) continue;
    names.set(id, row.get('rider_category_name') || id);
    const flag = gtfs.integer(row, 'is_default_fare_category', 0, 1);
    if (flag !== 1) continue;
    if (defaultId !== '') gtfs.problem(row, 'is_default_fare_category', `a second default category (the first is "${defaultId}")`);
    else defaultId = id;
  }
  return { names, defaultId };
}

function readMedia(gtfs: GtfsReader): Set<string> {
  const media = new Set<string>();
  for (const row of gtfs.read('fare_media.txt', ['fare_media_id', 'fare_media_type'], false)) {
    const id = gtfs.text(row, 'fare_media_id');
    if (id !== '') gtfs.unique(media, row, 'fare_media_id', id);
    if (gtfs.integer(row, 'fare_media_type', 0, 4) === undefined && row.get('fare_media_type') === '') gtfs.text(row, 'fare_media_type');
  }
  return media;
}

function readProducts(gtfs: GtfsReader, categories: Map<string, string>, media: Set<string>) {
  const prices = new Map<string, FarePrice[]>();
  const seen = new Set<string>();
  let currency = '';
  for (const row of gtfs.read('fare_products.txt', ['fare_product_id', 'amount', 'currency'], true)) {
    const id = gtfs.text(row, 'fare_product_id');
    const category = row.get('rider_category_id');
    const medium = row.get('fare_media_id');
    if (category !== '' && !categories.has(category)) gtfs.problem(row, 'rider_category_id', `category "${category}" is not in rider_categories.txt`);
    if (medium !== '' && !media.has(medium)) gtfs.problem(row, 'fare_media_id', `fare medium "${medium}" is not in fare_media.txt`);
    const rowCurrency = gtfs.text(row, 'currency');
    if (currency === '') currency = rowCurrency;
    else if (rowCurrency !== '' && rowCurrency !== currency) gtfs.problem(row, 'currency', `"${rowCurrency}" differs from the feed's currency "${currency}" (one currency per feed)`);
    const amount = parseMinorUnits(gtfs.text(row, 'amount'), rowCurrency);
    if (typeof amount === 'string') gtfs.problem(row, rowCurrency === '' || amount.includes('ISO 4217') ? 'currency' : 'amount', amount);
    if (id === '' || !gtfs.unique(seen, row, 'fare_product_id', `${id}/${category}/${medium}`)) continue;
    const list = prices.get(id) ?? [];
    // A row with a bad amount still declares its product, so references to it are not reported too.
    prices.set(id, list);
    if (typeof amount === 'string') continue;
    list.push({ fareProductId: id, fareProductName: row.get('fare_product_name') || id, riderCategoryId: category, fareMediaId: medium, amountMinor: amount, currency: rowCurrency, line: row.line });
  }
  return { prices, currency };
}

function readLegRules(gtfs: GtfsReader, known: KnownIds, prices: Map<string, FarePrice[]>): LegRule[] {
  const rules: LegRule[] = [];
  const refs: Array<[string, ReadonlyMap<string, string> | ReadonlySet<string>, string]> = [
    ['network_id', known.networks, 'routes.txt or networks.txt'],
    ['from_area_id', known.areas, 'areas.txt'],
    ['to_area_id', known.areas, 'areas.txt'],
    ['from_timeframe_group_id', known.timeframeGroups, 'timeframes.txt'],
    ['to_timeframe_group_id', known.timeframeGroups, 'timeframes.txt'],
  ];
  for (const row of gtfs.read('fare_leg_rules.txt', ['fare_product_id'], true)) {
    for (const [field, ids, where] of refs) {
      const value = row.get(field);
      if (value !== '' && !ids.has(value)) gtfs.problem(row, field, `"${value}" is not in ${where}`);
    }
    const product = gtfs.text(row, 'fare_product_id');
    if (product !== '' && !prices.has(product)) gtfs.problem(row, 'fare_product_id', `fare product "${product}" is not in fare_products.txt`);
    rules.push({
      index: rules.length,
      line: row.line,
      legGroupId: row.get('leg_group_id'),
      networkId: row.get('network_id'),
      fromAreaId: row.get('from_area_id'),
      toAreaId: row.get('to_area_id'),
      fromTimeframeGroupId: row.get('from_timeframe_group_id'),
      toTimeframeGroupId: row.get('to_timeframe_group_id'),
      fareProductId: product,
      rulePriority: gtfs.integer(row, 'rule_priority', 0, 1_000_000) ?? 0,
    });
  }
  return rules;
}

function readTransferRules(gtfs: GtfsReader, legGroups: Set<string>, prices: Map<string, FarePrice[]>): TransferRule[] {
  const rules: TransferRule[] = [];
  for (const row of gtfs.read('fare_transfer_rules.txt', ['fare_transfer_type'], false)) {
    const from = row.get('from_leg_group_id');
    const to = row.get('to_leg_group_id');
    for (const [field, value] of [['from_leg_group_id', from], ['to_leg_group_id', to]] as const) {
      if (value !== '' && !legGroups.has(value)) gtfs.problem(row, field, `leg group "${value}" is not in fare_leg_rules.txt`);
    }
    const count = gtfs.integer(row, 'transfer_count', -1, 1_000_000);
    if (count === 0) gtfs.problem(row, 'transfer_count', 'must be -1 (unlimited) or at least 1');
    if (from !== to && row.get('transfer_count') !== '') gtfs.problem(row, 'transfer_count', 'is forbidden when from_leg_group_id and to_leg_group_id differ');
    if (from === to && row.get('transfer_count') === '') gtfs.problem(row, 'transfer_count', 'is required when from_leg_group_id equals to_leg_group_id');
    const limit = gtfs.integer(row, 'duration_limit', 1, 100_000_000);
    const limitType = gtfs.integer(row, 'duration_limit_type', 0, 3) as DurationLimitType | undefined;
    if (row.get('duration_limit') !== '' && row.get('duration_limit_type') === '') gtfs.problem(row, 'duration_limit_type', 'is required when duration_limit is set');
    if (row.get('duration_limit') === '' && row.get('duration_limit_type') !== '') gtfs.problem(row, 'duration_limit_type', 'is forbidden without duration_limit');
    const type = gtfs.integer(row, 'fare_transfer_type', 0, 2) as FareTransferType | undefined;
    if (row.get('fare_transfer_type') === '') gtfs.text(row, 'fare_transfer_type');
    const product = row.get('fare_product_id');
    if (product !== '' && !prices.has(product)) gtfs.problem(row, 'fare_product_id', `fare product "${product}" is not in fare_products.txt`);
    rules.push({
      index: rules.length,
      line: row.line,
      fromLegGroupId: from,
      toLegGroupId: to,
      transferCount: from === to ? (count === 0 ? undefined : count) : undefined,
      durationLimitSeconds: limit,
      durationLimitType: limit === undefined ? undefined : limitType,
      fareTransferType: type ?? 0,
      fareProductId: product,
    });
  }
  return rules;
}

export function readFareRules(gtfs: GtfsReader, known: KnownIds): FareRules {
  const { names, defaultId } = readCategories(gtfs);
  const media = readMedia(gtfs);
  const { prices, currency } = readProducts(gtfs, names, media);
  const legRules = readLegRules(gtfs, known, prices);
  const legGroups = new Set(legRules.map((rule) => rule.legGroupId).filter((id) => id !== ''));
  return {
    categoryNames: names,
    defaultCategoryId: defaultId,
    prices,
    currency,
    legRules,
    hasRulePriority: gtfs.columns('fare_leg_rules.txt').includes('rule_priority'),
    transferRules: readTransferRules(gtfs, legGroups, prices),
  };
}
