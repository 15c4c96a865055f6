/**
 * The places part of a feed: agency time zone, stops and stations, areas, routes and
 * networks (agency.txt, stops.txt, areas.txt, stop_areas.txt, routes.txt,
 * networks.txt, route_networks.txt), with their references checked.
 */
import type { FareFeed } from './fare-feed.ts';
import type { GtfsReader, GtfsRow } from './gtfs-table.ts';

export type Places = Pick<FareFeed, 'stopNames' | 'stationOf' | 'areasOfStop' | 'areaNames' | 'networkNames' | 'routeNetwork' | 'routeAgency' | 'agencyNames'> & {
  agencyTimezone: string | undefined;
};

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function readAgencies(gtfs: GtfsReader): { timezone: string | undefined; agencies: Map<string, string> } {
  let timezone: string | undefined;
  const agencies = new Map<string, string>();
  for (const row of gtfs.read('agency.txt', ['agency_name', 'agency_timezone'], true)) {
    agencies.set(row.get('agency_id'), gtfs.text(row, 'agency_name'));
    const zone = gtfs.text(row, 'agency_timezone');
    if (zone === '') continue;
    if (!isTimeZone(zone)) gtfs.problem(row, 'agency_timezone', `"${zone}" is not an IANA time zone`);
    else if (timezone !== undefined && zone !== timezone) gtfs.problem(row, 'agency_timezone', `differs from the first agency's "${timezone}"`);
    else timezone = zone;
  }
  return { timezone, agencies };
}

function readStops(gtfs: GtfsReader): { names: Map<string, string>; stationOf: Map<string, string> } {
  const names = new Map<string, string>();
  const rows = gtfs.read('stops.txt', ['stop_id'], true);
  const parents: Array<[string, string, GtfsRow]> = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const id = gtfs.text(row, 'stop_id');
    if (id === '' || !gtfs.unique(seen, row, 'stop_id', id)) continue;
    names.set(id, row.get('stop_name') || id);
    const parent = row.get('parent_station');
    if (parent !== '') parents.push([id, parent, row]);
  }
  const stationOf = new Map([...names.keys()].map((id) => [id, id]));
  for (const [id, parent, row] of parents) {
    if (!names.has(parent)) gtfs.problem(row, 'parent_station', `stop "${parent}" is not in stops.txt`);
    else stationOf.set(id, parent);
  }
  return { names, stationOf };
}

function readAreas(gtfs: GtfsReader, stopNames: Map<string, string>, stationOf: Map<string, string>) {
  const areaNames = new Map<string, string>();
  const areaRows = new Map<string, GtfsRow>();
  const seen = new Set<string>();
  for (const row of gtfs.read('areas.txt', ['area_id'], false)) {
    const id = gtfs.text(row, 'area_id');
    if (id === '' || !gtfs.unique(seen, row, 'area_id', id)) continue;
    areaNames.set(id, row.get('area_name') || id);
    areaRows.set(id, row);
  }
  const direct = new Map<string, string[]>();
  const used = new Set<string>();
  for (const row of gtfs.read('stop_areas.txt', ['area_id', 'stop_id'], false)) {
    const area = gtfs.text(row, 'area_id');
    const stop = gtfs.text(row, 'stop_id');
    if (area !== '' && !areaNames.has(area)) gtfs.problem(row, 'area_id', `area "${area}" is not in areas.txt`);
    if (stop !== '' && !stopNames.has(stop)) gtfs.problem(row, 'stop_id', `stop "${stop}" is not in stops.txt`);
    if (!areaNames.has(area) || !stopNames.has(stop)) continue;
    used.add(area);
    const list = direct.get(stop) ?? [];
    if (!list.includes(area)) list.push(area);
    direct.set(stop, list);
  }
  for (const [id, row] of areaRows) if (!used.has(id)) gtfs.problem(row, 'area_id', `area "${id}" has no stops in stop_areas.txt`);
  const areasOfStop = new Map<string, string[]>();
  for (const stop of stopNames.keys()) {
    const station = stationOf.get(stop) ?? stop;
    const areas = [...(direct.get(stop) ?? [])];
    for (const area of station === stop ? [] : (direct.get(station) ?? [])) if (!areas.includes(area)) areas.push(area);
    areasOfStop.set(stop, areas);
  }
  return { areaNames, areasOfStop };
}

function readNetworks(gtfs: GtfsReader, agencies: Map<string, string>) {
  const networkNames = new Map<string, string>();
  const seen = new Set<string>();
  for (const row of gtfs.read('networks.txt', ['network_id'], false)) {
    const id = gtfs.text(row, 'network_id');
    if (id !== '' && gtfs.unique(seen, row, 'network_id', id)) networkNames.set(id, row.get('network_name') || id);
  }
  const routeNetwork = new Map<string, string>();
  const routeAgency = new Map<string, string>();
  const routes = new Set<string>();
  for (const row of gtfs.read('routes.txt', ['route_id'], false)) {
    const id = gtfs.text(row, 'route_id');
    if (id === '' || !gtfs.unique(routes, row, 'route_id', id)) continue;
    const agency = row.get('agency_id');
    if (agency !== '' && !agencies.has(agency)) gtfs.problem(row, 'agency_id', `agency "${agency}" is not in agency.txt`);
    else routeAgency.set(id, agency !== '' ? agency : agencies.size === 1 ? [...agencies.keys()][0]! : '');
    const network = row.get('network_id');
    if (network === '') continue;
    routeNetwork.set(id, network);
    if (!networkNames.has(network)) networkNames.set(network, network);
  }
  for (const row of gtfs.read('route_networks.txt', ['network_id', 'route_id'], false)) {
    const network = gtfs.text(row, 'network_id');
    const route = gtfs.text(row, 'route_id');
    if (network !== '' && !networkNames.has(network)) gtfs.problem(row, 'network_id', `network "${network}" is not in networks.txt`);
    if (route !== '' && !routes.has(route)) gtfs.problem(row, 'route_id', `route "${route}" is not in routes.txt`);
    else if (routeNetwork.has(route)) gtfs.problem(row, 'route_id', `route "${route}" already belongs to network "${routeNetwork.get(route)}"`);
    else if (networkNames.has(network)) routeNetwork.set(route, network);
  }
  return { networkNames, routeNetwork, routeAgency };
}

export function readPlaces(gtfs: GtfsReader): Places {
  const { timezone, agencies } = readAgencies(gtfs);
  const { names, stationOf } = readStops(gtfs);
  const { areaNames, areasOfStop } = readAreas(gtfs, names, stationOf);
  const { networkNames, routeNetwork, routeAgency } = readNetworks(gtfs, agencies);
  return { agencyTimezone: timezone, stopNames: names, stationOf, areasOfStop, areaNames, networkNames, routeNetwork, routeAgency, agencyNames: agencies };
}
