/**
 * Who may publish and subscribe to what (issue: topic ACLs). One rule set, used by
 * the embedded broker's hooks and written out as a Mosquitto ACL file.
 * A device publishes only its own uplink topics and never a downlink topic; it
 * subscribes only to its own downlink topics and the fleet-wide bundles and time.
 * The gateway's service identity may do everything.
 */
import { topics, TOPIC_ROOT } from '../../protocol/mqtt/topics.ts';

export type Principal = { kind: 'device'; device: string } | { kind: 'service' };

export function devicePublishTopics(device: string): string[] {
  return [topics.taps(device), topics.state(device)];
}

export function deviceSubscribeFilters(device: string): string[] {
  return [topics.ack(device), topics.command(device), topics.allBundles, topics.time()];
}

export function mayPublish(principal: Principal, topic: string): boolean {
  if (principal.kind === 'service') return topic.startsWith(`${TOPIC_ROOT}/`);
  return devicePublishTopics(principal.device).includes(topic);
}

/** Exact filters only: a device asking for a wildcard beyond its grants is refused. */
export function maySubscribe(principal: Principal, filter: string): boolean {
  if (principal.kind === 'service') return true;
  return deviceSubscribeFilters(principal.device).includes(filter);
}

/** The Mosquitto `acl_file` text for the given devices and the gateway's user. */
export function mosquittoAcl(devices: string[], serviceUser: string): string {
  const lines = [`# Faregate topic ACL, generated; do not edit by hand`, `user ${serviceUser}`, `topic readwrite ${TOPIC_ROOT}/#`, `topic read $share/#`, ''];
  for (const device of devices) {
    lines.push(`user ${device}`);
    for (const topic of devicePublishTopics(device)) lines.push(`topic write ${topic}`);
    for (const filter of deviceSubscribeFilters(device)) lines.push(`topic read ${filter}`);
    lines.push('');
  }
  return lines.join('\n');
}
