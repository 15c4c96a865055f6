/**
 * Device registration and MQTT authentication. A device's password is a random
 * 256-bit token shown once at registration; the ledger keeps only its SHA-256
 * (a high-entropy secret needs no slow hash, and brokers check it on every connect).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Direction } from '../../protocol/uplink/tap-record.ts';
import type { Mode } from '../../protocol/ticket/claims.ts';
import { isValidDeviceId, isValidStationId } from '../../protocol/mqtt/topics.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { CredentialCheck } from '../broker/embedded-broker.ts';
import type { Principal } from '../broker/topic-acl.ts';

export interface DeviceRegistration {
  id: string;
  station: string;
  zone: number;
  mode: Mode;
  direction: Direction;
  /** The fare feed's stop_id and network_id of the gate, when not its station and mode. */
  fareStop?: string;
  fareNetwork?: string;
}

export interface IssuedCredentials {
  username: string;
  password: string;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');
export const newSecret = (): string => randomBytes(32).toString('base64url');

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Where a device's live MQTT sessions can be ended (the embedded broker). */
export interface DeviceSessions {
  /** Closes every connection of the device; how many there were. */
  endSessions(device: string): number;
}

export class DeviceCredentials implements CredentialCheck {
  constructor(
    private readonly ledger: Ledger,
    private readonly service: IssuedCredentials,
    /** Undefined with an external broker, which is told through its password file instead. */
    private readonly sessions?: DeviceSessions,
  ) {}

  /** Registers (or re-registers, with a new password) a gate; the password is returned once. */
  async register(device: DeviceRegistration): Promise<IssuedCredentials> {
    if (!isValidDeviceId(device.id)) throw new Error(`id: "${device.id}" is not a valid device id`);
    if (device.id === this.service.username) throw new Error(`id: "${device.id}" is reserved`);
    if (!isValidStationId(device.station)) throw new Error(`station: "${device.station}" is not a valid station id (1-64 of A-Z a-z 0-9 _ . -, starting with a letter or digit)`);
    const password = newSecret();
    const existing = await this.ledger.getDevice(device.id);
    await this.ledger.upsertDevice({
      ...device,
      credentialHash: hashSecret(password),
      createdAt: existing?.createdAt ?? Date.now(),
      state: existing?.state ?? { online: false, lastSeen: null, bundleVersions: {}, backlog: 0, clockAnchored: false },
    });
    // The old password stops working now: a session opened with it must not keep publishing.
    if (existing) this.sessions?.endSessions(device.id);
    return { username: device.id, password };
  }

  /** Deletes a gate's registration (its records stay) and ends its sessions; false when unknown. */
  async remove(id: string): Promise<boolean> {
    const removed = await this.ledger.removeDevice(id);
    this.sessions?.endSessions(id);
    return removed;
  }

  async authenticate(username: string, password: string): Promise<Principal | undefined> {
    if (username === this.service.username) {
      return sameHash(hashSecret(password), hashSecret(this.service.password)) ? { kind: 'service' } : undefined;
    }
    const device = await this.ledger.getDevice(username);
    if (!device || !sameHash(hashSecret(password), device.credentialHash)) return undefined;
    return { kind: 'device', device: device.id, station: device.station };
  }
}
