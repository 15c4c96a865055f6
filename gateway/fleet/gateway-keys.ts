/**
 * The gateway's keys at start (docs/protocol.md, "Signing chain"): a keys directory
 * with a valid, unrevoked signing key for every bundle type the gateway signs. The
 * gateway never signs with the root key. A directory that holds the root private key is
 * a development one (the gateway made it, or an operator left the root online): there
 * the gateway certifies a signing key itself, and says loudly that the root is online.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { initKeys } from '../../keys/keyring.ts';
import { KEYS_FILES, KeysDirError, readKeyring } from '../../keys/keys-dir.ts';
import { createSigningKey, currentSigningKey, SIGNING_KINDS } from '../../keys/signing-keys.ts';

const WARN_BEFORE_EXPIRY_MS = 14 * 86_400_000;

export function prepareGatewayKeys(keysDir: string, operator: string | undefined, logger: Logger, now = new Date()): void {
  if (!existsSync(join(keysDir, KEYS_FILES.keyring))) {
    initKeys(keysDir, operator === undefined ? {} : { operator }, now);
    logger.warn(
      { keysDir },
      'no keys directory: created a development one (root, issuer and signing keys); in production keep the root key offline and certify signing keys with npm run keys -- signing-key create',
    );
    return;
  }
  const rootOnline = existsSync(join(keysDir, KEYS_FILES.rootPrivate));
  if (rootOnline) {
    logger.warn({ keysDir }, `the root private key (${KEYS_FILES.rootPrivate}) is in the gateway's keys directory: anyone who takes this gateway takes the root; keep it offline in production`);
  }
  const types = Object.values(SIGNING_KINDS);
  const state = readKeyring(keysDir);
  const uncovered = types.filter((type) => !currentSigningKey(state, keysDir, type, now));
  if (uncovered.length > 0) {
    if (!rootOnline) {
      throw new KeysDirError(
        `keys directory ${keysDir} has no valid signing key for ${uncovered.join(', ')}: run npm run keys -- signing-key create --dir DIR ` +
          `where the root key is kept, then copy that directory here without ${KEYS_FILES.rootPrivate}`,
      );
    }
    const entry = createSigningKey(keysDir, {}, now);
    logger.warn({ keysDir, kid: entry.kid, notAfter: entry.notAfter }, 'certified a new signing key with the root key in the keys directory (development setup)');
    return;
  }
  for (const type of types) {
    const entry = currentSigningKey(state, keysDir, type, now)!;
    if (Date.parse(entry.notAfter) - now.getTime() < WARN_BEFORE_EXPIRY_MS) {
      logger.warn({ kid: entry.kid, notAfter: entry.notAfter, type }, 'the signing key expires within 14 days: certify a new one (npm run keys -- signing-key create)');
    }
  }
}
