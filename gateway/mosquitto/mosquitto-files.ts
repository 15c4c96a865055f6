/**
 * For an external Mosquitto: the password file (mosquitto 2.x `$7$` PBKDF2-SHA512
 * entries, the format `mosquitto_passwd` writes) and the ACL file that mirror the
 * embedded broker's rules (gateway/broker/topic-acl.ts). Passwords are only known at
 * registration, so entries are added then; the ACL is rewritten from every user.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../../runtime/atomic-file.ts';
import { mosquittoAcl, type AclDevice } from '../broker/topic-acl.ts';

export const MOSQUITTO_FILES = { passwords: 'passwd', acl: 'acl' } as const;
const ITERATIONS = 101; // mosquitto_passwd's default for $7$

export function mosquittoPasswordLine(username: string, password: string, salt: Buffer = randomBytes(12)): string {
  if (username.includes(':')) throw new Error(`username "${username}" may not contain ':'`);
  const hash = pbkdf2Sync(password, salt, ITERATIONS, 64, 'sha512');
  return `${username}:$7$${ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function readPasswordLines(dir: string): Map<string, string> {
  const path = join(dir, MOSQUITTO_FILES.passwords);
  const lines = new Map<string, string>();
  if (!existsSync(path)) return lines;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const user = line.split(':')[0];
    if (user) lines.set(user, line);
  }
  return lines;
}

/**
 * Adds or replaces users in `dir/passwd` (and deletes `removedUsers`) and rewrites `dir/acl`.
 * `serviceUser` is the gateways' shared identity. Reload Mosquitto afterwards (SIGHUP) to apply.
 */
export function updateMosquittoFiles(
  dir: string,
  users: Array<{ username: string; password: string }>,
  serviceUser: string,
  devices: AclDevice[],
  removedUsers: readonly string[] = [],
): void {
  const lines = readPasswordLines(dir);
  for (const user of users) lines.set(user.username, mosquittoPasswordLine(user.username, user.password));
  for (const user of removedUsers) lines.delete(user);
  writeFileAtomic(join(dir, MOSQUITTO_FILES.passwords), `${[...lines.values()].join('\n')}\n`, 0o600);
  // Users only in the password file (registered elsewhere) get the grants of a device without a known station.
  const known = new Map(devices.map((device) => [device.device, device]));
  for (const user of lines.keys()) if (user !== serviceUser && !known.has(user)) known.set(user, { device: user });
  const sorted = [...known.values()].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
  writeFileAtomic(join(dir, MOSQUITTO_FILES.acl), mosquittoAcl(sorted, serviceUser), 0o644); // topics and ids only; the broker's user reads it
}
