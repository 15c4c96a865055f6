/**
 * The MQTT topic contract between validators and gateways (docs/protocol.md).
 * Versioned root; every topic a part publishes or subscribes to is built here.
 *
 * uplink (device → gateway)
 *   faregate/v1/devices/{device}/taps      QoS 1, JSON TapBatch
 *   faregate/v1/devices/{device}/state     QoS 1, retained, JSON DeviceState (also the last will)
 * downlink (gateway → device)
 *   faregate/v1/devices/{device}/ack       QoS 1, JSON BatchAck
 *   faregate/v1/devices/{device}/command   QoS 1, retained, signed command bundle (COSE bytes)
 *   faregate/v1/bundles/{kind}             QoS 1, retained, signed bundle (trust, deny, deny-delta, fares)
 *   faregate/v1/bundles/clock-reset        QoS 1, retained, signed fleet-wide clock reset command
 *   faregate/v1/time                       QoS 0, signed time beacon, every few seconds, never retained
 * station (gate ↔ the other gates of its station)
 *   faregate/v1/stations/{station}/passback QoS 1, JSON PassbackShare: keyed hashes of accepted entries
 */
export const TOPIC_ROOT = 'faregate/v1';
export const BUNDLE_KINDS = ['trust', 'deny', 'deny-delta', 'fares'] as const;
export type BundleKind = (typeof BUNDLE_KINDS)[number];

const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Device ids become topic levels: no wildcards, separators or empty names. */
export function isValidDeviceId(id: string): boolean {
  return DEVICE_ID.test(id);
}

function device(id: string): string {
  if (!isValidDeviceId(id)) throw new Error(`invalid device id "${id}": 1-64 of A-Z a-z 0-9 _ . -, starting with a letter or digit`);
  return `${TOPIC_ROOT}/devices/${id}`;
}

/** Station ids are topic levels too, under the same rule as device ids. */
export function isValidStationId(id: string): boolean {
  return DEVICE_ID.test(id);
}

function station(id: string): string {
  if (!isValidStationId(id)) throw new Error(`invalid station id "${id}": 1-64 of A-Z a-z 0-9 _ . -, starting with a letter or digit`);
  return `${TOPIC_ROOT}/stations/${id}`;
}

export const topics = {
  taps: (id: string): string => `${device(id)}/taps`,
  state: (id: string): string => `${device(id)}/state`,
  ack: (id: string): string => `${device(id)}/ack`,
  command: (id: string): string => `${device(id)}/command`,
  bundle: (kind: BundleKind): string => `${TOPIC_ROOT}/bundles/${kind}`,
  time: (): string => `${TOPIC_ROOT}/time`,
  /** Accepted entries shared between the gates of one station (passback and single use). */
  stationPassback: (id: string): string => `${station(id)}/passback`,
  /**
   * Under bundles/ so the devices' existing subscription and ACL (bundles/+) cover it, but not a
   * BundleKind: it is a command to the clock, not state the bundle store keeps.
   */
  clockReset: (): string => `${TOPIC_ROOT}/bundles/clock-reset`,
  /** Gateways subscribe to every device's taps and state. */
  allTaps: `${TOPIC_ROOT}/devices/+/taps`,
  allStates: `${TOPIC_ROOT}/devices/+/state`,
  allBundles: `${TOPIC_ROOT}/bundles/+`,
} as const;

/** MQTT 5 shared subscription, so several gateway instances split one stream. */
export function sharedSubscription(group: string, filter: string): string {
  return `$share/${group}/${filter}`;
}

/** The device id of a per-device topic, or undefined when the topic is not one. */
export function deviceOfTopic(topic: string): string | undefined {
  const prefix = `${TOPIC_ROOT}/devices/`;
  if (!topic.startsWith(prefix)) return undefined;
  const id = topic.slice(prefix.length).split('/')[0];
  return id !== undefined && isValidDeviceId(id) ? id : undefined;
}

export function bundleKindOfTopic(topic: string): BundleKind | undefined {
  const prefix = `${TOPIC_ROOT}/bundles/`;
  if (!topic.startsWith(prefix)) return undefined;
  const kind = topic.slice(prefix.length);
  return (BUNDLE_KINDS as readonly string[]).includes(kind) ? (kind as BundleKind) : undefined;
}
