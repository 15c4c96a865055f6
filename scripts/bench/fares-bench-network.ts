/**
 * A synthetic service day for the fares benchmark: a 1,000-gate metro (250 stations
 * of 4 gates in 6 zones, tap-out, zone fares) and a bus network (400 stops, hopper),
 * adult and child prices, daily and weekly caps; and its riders' taps, from a seeded
 * generator so every run rates the same day.
 */
import type { FareFeed } from '../../gateway/fares/fare-feed.ts';
import { parseFeed } from '../../gateway/fares/load-feed.ts';
import type { Tap } from '../../gateway/fares/tap.ts';
import { seededRandom } from '../../runtime/seeded-random.ts';

export const STATIONS = 250;
const ZONES = 6;
const BUS_STOPS = 400;
const zoneOf = (station: number): number => 1 + Math.floor((station * ZONES) / STATIONS);

export function benchFeed(): FareFeed {
  const stops = ['stop_id,stop_name'];
  const stopAreas = ['area_id,stop_id'];
  for (let s = 0; s < STATIONS; s++) {
    stops.push(`m${s},Station ${s}`);
    stopAreas.push(`z${zoneOf(s)},m${s}`);
  }
  for (let b = 0; b < BUS_STOPS; b++) stops.push(`b${b},Bus stop ${b}`);
  const products = ['fare_product_id,fare_product_name,rider_category_id,amount,currency'];
  const price = (id: string, adultPence: number): void => {
    const money = (pence: number): string => `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
    products.push(`${id},${id},adult,${money(adultPence)},GBP`, `${id},${id},child,${money(Math.floor(adultPence / 2))},GBP`);
  };
  const legRules = ['leg_group_id,network_id,from_area_id,to_area_id,fare_product_id,rule_priority'];
  for (let span = 1; span <= ZONES; span++) price(`metro_${span}`, 200 + 60 * span);
  for (let from = 1; from <= ZONES; from++) for (let to = 1; to <= ZONES; to++) legRules.push(`metro,metro,z${from},z${to},metro_${1 + Math.abs(from - to)},1`);
  legRules.push('bus,bus,,,bus_single,0');
  price('metro_max', 850);
  price('bus_single', 175);
  price('cap_bus_day', 525);
  price('cap_day', 810);
  price('cap_week', 4070);
  const files: Record<string, string> = {
    'agency.txt': 'agency_id,agency_name,agency_timezone\nbench,Bench Transit,Europe/London',
    'stops.txt': stops.join('\n'),
    'areas.txt': ['area_id,area_name', ...Array.from({ length: ZONES }, (_, z) => `z${z + 1},Zone ${z + 1}`)].join('\n'),
    'stop_areas.txt': stopAreas.join('\n'),
    'networks.txt': 'network_id,network_name\nmetro,Metro\nbus,Buses',
    'rider_categories.txt': 'rider_category_id,rider_category_name,is_default_fare_category\nadult,Adult,1\nchild,Child,0',
    'fare_products.txt': products.join('\n'),
    'fare_leg_rules.txt': legRules.join('\n'),
    'fare_transfer_rules.txt': 'from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type\nbus,bus,-1,3600,1,0',
    'fare_policy.json': JSON.stringify({
      service_day_start: '04:30',
      tap_out: [{ network_id: 'metro', incomplete_fare_product_id: 'metro_max', same_station_cancel_minutes: 2, max_journey_minutes: 180 }],
      caps: [
        { cap_id: 'bus_day', networks: ['bus'], period: 'service_day', fare_product_id: 'cap_bus_day' },
        { cap_id: 'all_day', networks: ['metro', 'bus'], period: 'service_day', fare_product_id: 'cap_day' },
        { cap_id: 'all_week', networks: ['metro', 'bus'], period: 'week', fare_product_id: 'cap_week' },
      ],
    }),
  };
  return parseFeed(new Map(Object.entries(files)));
}

const DAY_START = Date.parse('2026-11-27T04:30:00Z');
const MINUTE = 60_000;

/**
 * One service day, account by account: 80 % of accounts ride the metro there and back
 * (4 taps; 3 % forget an exit, 1 % leave where they entered), 20 % take 4 buses; one in
 * ten rides a third time. About 4.15 taps per account.
 */
export function* benchAccounts(accounts: number, seed = 2026): Generator<Tap[]> {
  // Seeded, so every run rates the same day.
  const next = seededRandom(seed);
  const pick = (n: number): number => Math.floor(next() * n);
  const stations = Array.from({ length: STATIONS }, (_, s) => `m${s}`);
  const busStops = Array.from({ length: BUS_STOPS }, (_, b) => `b${b}`);
  let ref = 0;
  for (let a = 0; a < accounts; a++) {
    const taps: Tap[] = [];
    const account = `acct-${a}`;
    const category = next() < 0.1 ? 'child' : '';
    const push = (time: number, stop: string, network: string, direction: 'in' | 'out'): void => {
      taps.push({ time, account, stop, network, route: '', direction, category, media: '', ref: ref++ });
    };
    const morning = DAY_START + (90 + pick(300)) * MINUTE;
    const trips = next() < 0.1 ? 3 : 2;
    if (next() < 0.8) {
      const home = stations[pick(STATIONS)]!;
      const work = next() < 0.01 ? home : stations[pick(STATIONS)]!;
      for (let trip = 0; trip < trips; trip++) {
        const start = morning + trip * (420 + pick(240)) * MINUTE;
        const [from, to] = trip % 2 === 0 ? [home, work] : [work, home];
        push(start, from, 'metro', 'in');
        if (next() >= 0.03) push(start + (from === to ? 1 : 10 + pick(50)) * MINUTE, to, 'metro', 'out');
      }
    } else {
      for (let ride = 0; ride < trips * 2; ride++) push(morning + ride * (20 + pick(150)) * MINUTE, busStops[pick(BUS_STOPS)]!, 'bus', 'in');
    }
    yield taps;
  }
}

/** The same day as one array of taps. */
export function benchTaps(accounts: number, seed = 2026): Tap[] {
  const taps: Tap[] = [];
  for (const own of benchAccounts(accounts, seed)) for (const tap of own) taps.push(tap);
  return taps;
}

/** The same day as a stream of taps grouped by account, never all in memory. */
export function* benchTapStream(accounts: number, seed = 2026): Generator<Tap> {
  for (const own of benchAccounts(accounts, seed)) yield* own;
}
