/**
 * The station key that keys the hash under which a ticket is shared with the other
 * gates of a station (protocol/mqtt/station-passback.ts). Every gate of a station must
 * hold the same key. A key file gives a real secret; without one the key is derived
 * from the root public key and the station id, which every gate has but an outsider
 * reading the station topic does not pair with ticket ids (documented as the weaker mode).
 */
import { createHmac, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { passbackKey } from '../../protocol/mqtt/station-passback.ts';
import { DEFAULT_PASSBACK_CAPACITY, PassbackState } from '../check/passback-state.ts';

export const MIN_STATION_KEY_CHARS = 32;

export interface StationKey {
  key: Uint8Array;
  source: 'file' | 'derived';
}

export function loadStationKey(options: { stationKeyFile?: string; station: string; rootPublicKey: KeyObject }): StationKey {
  if (options.stationKeyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.stationKeyFile, 'utf8').trim();
    } catch (error) {
      throw new Error(`passback.stationKeyFile ${options.stationKeyFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (text.length < MIN_STATION_KEY_CHARS) {
      throw new Error(`passback.stationKeyFile ${options.stationKeyFile}: the key must be at least ${MIN_STATION_KEY_CHARS} characters (e.g. openssl rand -hex 32)`);
    }
    return { key: Buffer.from(text, 'utf8'), source: 'file' };
  }
  const root = options.rootPublicKey.export({ format: 'der', type: 'spki' });
  const key = createHmac('sha256', root).update(`faregate/station-key/v1\0${options.station}`).digest();
  return { key, source: 'derived' };
}

/** Anti-passback memory filing tickets under their keyed hash, as the station shares them. */
export function keyedPassbackState(key: Uint8Array, capacity = DEFAULT_PASSBACK_CAPACITY): PassbackState {
  return new PassbackState(capacity, (ticketId) => passbackKey(key, ticketId));
}
