/**
 * Who may publish and subscribe to what (issue: topic ACLs). One rule set, used by
 * the embedded broker's hooks and written out as a Mosquitto ACL file.
 * A device publishes only its own uplink topics and never a downlink topic; it
 * subscribes only to its own downlink topics and the fleet-wide bundles and time.
 * Beside those, a device registered at a station publishes and subscribes to that
 * station's topic (anti-passback shared with its peers), and no other station's.
 * The gateway's service identity may do everything.
 */
import { isValidStationId, topics, TOPIC_ROOT } from '../../protocol/mqtt/topics.ts';

export type Principal = { kind: 'device'; device: string; station?: string } | { kind: 'service' };

/** A device and the station it is registered at (if that is a valid topic level). */
export interface AclDevice {
  device: string;
  station?: string;
}

function stationTopics(station: string | undefined): string[] {
  return station !== undefined && isValidStationId(station) ? [topics.stationPassback(station)] : [];
}

export function devicePublishTopics(device: string, station?: string): string[] {
  return [topics.taps(device), topics.state(device), ...stationTopics(station)];
}

export function deviceSubscribeFilters(device: string, station?: string): string[] {
  return [topics.ack(device), topics.command(device), topics.allBundles, topics.time(), ...stationTopics(station)];
}

export function mayPublish(principal: Principal, topic: string): boolean {
  if (principal.kind === 'service') return topic.startsWith(`${TOPIC_ROOT}/`);
  return devicePublishTopics(principal.device, principal.station).includes(topic);
}

/** Exact filters only: a device asking for a wildcard beyond its grants is refused. */
export function maySubscribe(principal: Principal, filter: string): boolean {
  if (principal.kind === 'service') return true;
  return deviceSubscribeFilters(principal.device, principal.station).includes(filter);
}

/** The Mosquitto `acl_file` text for the given devices and the gateway's user. */
export function mosquittoAcl(devices: AclDevice[], serviceUser: string): string {
  const lines = [`# Faregate topic ACL, generated; do not edit by hand`, `user ${serviceUser}`, `topic readwrite ${TOPIC_ROOT}/#`, `topic read $share/#`, ''];
  for (const { device, station } of devices) {
    lines.push(`user ${device}`);
    const shared = stationTopics(station);
    for (const topic of devicePublishTopics(device)) lines.push(`topic write ${topic}`);
    for (const filter of deviceSubscribeFilters(device)) lines.push(`topic read ${filter}`);
    for (const topic of shared) lines.push(`topic readwrite ${topic}`);
    lines.push('');
  }
  return lines.join('\n');
}
