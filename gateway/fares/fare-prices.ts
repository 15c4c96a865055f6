/**
 * The price of a fare product for a rider category and fare medium: the category's own
 * row, else the default category's row (the contract), else a row for any rider;
 * within those, the medium's own row, else a row for any medium, else (medium
 * unknown) the cheapest. Memoised per feed.
 */
import type { FareFeed, FarePrice } from './fare-feed.ts';

const caches = new WeakMap<FareFeed, Map<string, FarePrice | null>>();

function forCategory(rows: FarePrice[], category: string): FarePrice[] {
  return rows.filter((row) => row.riderCategoryId === category);
}

function pick(rows: FarePrice[], media: string): FarePrice | undefined {
  const own = media === '' ? [] : rows.filter((row) => row.fareMediaId === media);
  const any = rows.filter((row) => row.fareMediaId === '');
  const choice = own.length > 0 ? own : any.length > 0 ? any : media === '' ? rows : [];
  return choice.reduce<FarePrice | undefined>((best, row) => (best === undefined || row.amountMinor < best.amountMinor ? row : best), undefined);
}

export function priceFor(feed: FareFeed, productId: string, category: string, media: string): FarePrice | undefined {
  let cache = caches.get(feed);
  if (!cache) caches.set(feed, (cache = new Map()));
  const key = `${productId}\u0000${category}\u0000${media}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const rows = feed.prices.get(productId) ?? [];
  const effective = category === '' ? feed.defaultCategoryId : category;
  let price: FarePrice | undefined;
  for (const candidates of [forCategory(rows, effective), forCategory(rows, feed.defaultCategoryId), forCategory(rows, '')]) {
    if (candidates.length > 0 && (price = pick(candidates, media))) break;
  }
  cache.set(key, price ?? null);
  return price;
}
