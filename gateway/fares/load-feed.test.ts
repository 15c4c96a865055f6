/** Feed validation: every problem at once, each with file, line and field (JSON path for the policy). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoFiles } from './fares-test-fixture.ts';
import { FareInputError, formatProblem } from './feed-problem.ts';
import { parseFeed } from './load-feed.ts';

function problemsOf(changes: Record<string, string | undefined>): string[] {
  try {
    parseFeed(demoFiles(changes));
  } catch (error) {
    assert.ok(error instanceof FareInputError);
    return error.problems.map(formatProblem);
  }
  assert.fail('the feed loaded');
}

const policy = (change: (policy: Record<string, unknown>) => void): string => {
  const json = JSON.parse(demoFiles().get('fare_policy.json')!) as Record<string, unknown>;
  change(json);
  return JSON.stringify(json);
};

describe('fare feed validation', () => {
  it('loads the demo feed, ignoring unknown columns (location_type, route_type, agency_url)', () => {
    const feed = parseFeed(demoFiles());
    assert.equal(feed.timezone, 'Europe/London');
    assert.equal(feed.serviceDayStartMinutes, 270);
    assert.equal(feed.currency, 'GBP');
    assert.deepEqual(feed.areasOfStop.get('central_p1'), ['zone1']);
    assert.deepEqual(feed.caps.map((cap) => cap.capId), ['bus_day', 'all_day', 'all_week']);
  });

  it('lists every problem of several files at once, with file, line and field', () => {
    const problems = problemsOf({
      'fare_leg_rules.txt': 'leg_group_id,network_id,from_area_id,to_area_id,fare_product_id\nmetro,metro,zone1,zone9,metro_1\nmetro,tram,,,no_such_product\n',
      'areas.txt': 'area_id,area_name\nzone1,Zone 1\nzone2,Zone 2\nzone3,Zone 3\nzone4,Zone 4\n',
      'fare_products.txt': 'fare_product_id,fare_product_name,amount,currency\nmetro_1,Zone 1,2.805,GBP\nmetro_max,Max,8.50,XYZ\ncap_bus_day,c,5.25,GBP\ncap_day,c,8.10,GBP\ncap_week,c,40.70,GBP\nbus_single,b,1.75,EUR\n',
    });
    assert.deepEqual(problems, [
      'areas.txt:5 area_id: area "zone4" has no stops in stop_areas.txt',
      'fare_products.txt:2 amount: "2.805" has more decimals than GBP allows (2)',
      'fare_products.txt:3 currency: "XYZ" differs from the feed\'s currency "GBP" (one currency per feed)',
      'fare_products.txt:3 currency: "XYZ" is not an ISO 4217 currency code',
      'fare_products.txt:7 currency: "EUR" differs from the feed\'s currency "GBP" (one currency per feed)',
      'fare_leg_rules.txt:2 to_area_id: "zone9" is not in areas.txt',
      'fare_leg_rules.txt:3 network_id: "tram" is not in routes.txt or networks.txt',
      'fare_leg_rules.txt:3 fare_product_id: fare product "no_such_product" is not in fare_products.txt',
      'fare_transfer_rules.txt:2 from_leg_group_id: leg group "bus" is not in fare_leg_rules.txt',
      'fare_transfer_rules.txt:2 to_leg_group_id: leg group "bus" is not in fare_leg_rules.txt',
    ]);
  });

  it('reports fare_policy.json problems by JSON path', () => {
    const problems = problemsOf({
      'fare_policy.json': policy((json) => {
        json.service_day_start = '4:30';
        (json.caps as Array<Record<string, unknown>>)[1]!.networks = ['metro', 'ferry'];
        (json.caps as Array<Record<string, unknown>>)[2]!.fare_product_id = 'cap_month';
        (json.tap_out as Array<Record<string, unknown>>)[0]!.max_journey_minutes = 'long';
        json.caps = [...(json.caps as unknown[]), { cap_id: 'x', networks: ['bus'], period: 'fortnight', fare_product_id: 'cap_day' }];
      }),
    });
    assert.deepEqual(problems, [
      'fare_policy.json $.tap_out[0].max_journey_minutes: must be a whole number of at least 1',
      'fare_policy.json $.caps[1].networks[1]: network "ferry" is not in the feed',
      'fare_policy.json $.caps[2].fare_product_id: fare product "cap_month" is not in the feed',
      'fare_policy.json $.caps[3].period: must be "service_day", "week" or "rolling"',
      'fare_policy.json $.service_day_start: must be a local time "HH:MM" from 00:00 to 23:59',
    ]);
  });

  it('checks transfer rule fields as the GTFS reference requires', () => {
    const problems = problemsOf({
      'fare_transfer_rules.txt': 'from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type\nmetro,metro,,3600,,3\nmetro,metro,0,,1,0\n',
    });
    assert.deepEqual(problems, [
      'fare_transfer_rules.txt:2 transfer_count: is required when from_leg_group_id equals to_leg_group_id',
      'fare_transfer_rules.txt:2 duration_limit_type: is required when duration_limit is set',
      'fare_transfer_rules.txt:2 fare_transfer_type: "3" is not a whole number from 0 to 2',
      'fare_transfer_rules.txt:3 transfer_count: must be -1 (unlimited) or at least 1',
      'fare_transfer_rules.txt:3 duration_limit_type: is forbidden without duration_limit',
    ]);
  });

  it('reports missing files and columns, bad CSV quoting and an unknown time zone', () => {
    const problems = problemsOf({
      'fare_leg_rules.txt': undefined,
      'stops.txt': 'stop_name\nCentral\n',
      'agency.txt': 'agency_id,agency_name,agency_timezone\nx,"Demo "Metro",Mars/Olympus\n',
      'fare_policy.json': '{"service_day_start": "04:30",',
    });
    assert.ok(problems.includes('agency.txt:2: text after a closing quote (a quote inside a field must be doubled)'), problems.join('\n'));
    assert.ok(problems.includes('stops.txt:1 stop_id: column is missing'));
    assert.ok(problems.includes('fare_leg_rules.txt: file is missing'));
    assert.ok(problems.some((line) => line.startsWith('fare_policy.json $: is not JSON')));
  });

  it('requires one default rider category', () => {
    const problems = problemsOf({ 'rider_categories.txt': 'rider_category_id,rider_category_name,is_default_fare_category\nadult,Adult,0\nchild,Child,0\n' });
    assert.deepEqual(problems, ['rider_categories.txt is_default_fare_category: no category is marked as the default (is_default_fare_category=1)']);
  });
});
