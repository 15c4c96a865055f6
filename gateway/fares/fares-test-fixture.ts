/**
 * Test support: small fare feeds written as file texts (a base network plus the
 * files a test overrides), taps built from local times, and a shortcut to rate them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FareFeed } from './fare-feed.ts';
import { parseFeed } from './load-feed.ts';
import { rateAccount } from './rate-account.ts';
import type { AccountRating } from './rating.ts';
import type { Tap } from './tap.ts';

export const DEMO_FEED_DIR = new URL('./examples/demo-feed/', import.meta.url).pathname;

/** The demo feed's files, with some replaced or removed (value undefined). */
export function demoFiles(changes: Record<string, string | undefined> = {}): Map<string, string> {
  const files = new Map(readdirSync(DEMO_FEED_DIR).map((name) => [name, readFileSync(join(DEMO_FEED_DIR, name), 'utf8')]));
  for (const [name, text] of Object.entries(changes)) {
    if (text === undefined) files.delete(name);
    else files.set(name, text);
  }
  return files;
}

const lines = (text: string): string => `${text.trim().split('\n').map((line) => line.trim()).join('\n')}\n`;

/**
 * A plain network for rule tests: stops A, B (area "a"), C (area "c"), networks
 * "rail" and "bus", categories adult (default) and child, time zone Europe/London.
 * Tests give the products, leg rules, transfer rules and policy.
 */
export function ruleFeed(files: { products: string; legRules: string; transferRules?: string; policy?: object; extra?: Record<string, string> }): FareFeed {
  const base: Record<string, string> = {
    'agency.txt': 'agency_id,agency_name,agency_timezone\nx,X Transit,Europe/London\n',
    'stops.txt': 'stop_id,stop_name\nA,Alpha\nB,Bravo\nC,Charlie\n',
    'areas.txt': 'area_id,area_name\na,Area A\nc,Area C\n',
    'stop_areas.txt': 'area_id,stop_id\na,A\na,B\nc,C\n',
    'networks.txt': 'network_id,network_name\nrail,Rail\nbus,Bus\n',
    'rider_categories.txt': 'rider_category_id,rider_category_name,is_default_fare_category\nadult,Adult,1\nchild,Child,0\n',
    'fare_products.txt': lines(files.products),
    'fare_leg_rules.txt': lines(files.legRules),
    'fare_policy.json': JSON.stringify({ service_day_start: '04:30', ...files.policy }),
  };
  if (files.transferRules !== undefined) base['fare_transfer_rules.txt'] = lines(files.transferRules);
  for (const [name, text] of Object.entries(files.extra ?? {})) base[name] = lines(text);
  return parseFeed(new Map(Object.entries(base)));
}

let nextRef = 1;

/** A tap at `time` (ISO with offset, or "YYYY-MM-DD HH:MM" read as UTC). */
export function tap(time: string, stop: string, network: string, direction: 'in' | 'out' = 'in', extra: Partial<Tap> = {}): Tap {
  const iso = time.includes('T') ? time : `${time.replace(' ', 'T')}:00Z`;
  return { time: Date.parse(iso), account: 'acct', stop, network, route: '', direction, category: '', media: '', ref: nextRef++, ...extra };
}

export function rate(feed: FareFeed, taps: Tap[]): AccountRating {
  return rateAccount(feed, 'acct', taps);
}

export const charges = (rating: AccountRating): number[] => rating.legs.map((leg) => leg.chargeMinor);
export const statuses = (rating: AccountRating): string[] => rating.legs.map((leg) => leg.status);
