/**
 * What the gateway's schema cannot see, checked before anything starts so that every
 * problem is listed at once (exit 2): the data and keys directories, the SQLite file's
 * directory, an existing keys directory's keyring, root key and bundles, and the
 * addresses in URLs.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KEYS_FILES, readBundle, readKeyring, readRootPublicKey } from '../../keys/keys-dir.ts';
import { openDenyList } from '../../protocol/bundles/deny-list.ts';
import { openTrustList } from '../../protocol/bundles/trust-list.ts';
import { writableDirectoryProblem } from '../../runtime/config-paths.ts';
import { FareInputError, formatProblem, loadFeed } from '../fares/fares-api.ts';

const fieldOf = (object: unknown, key: string): unknown => (typeof object === 'object' && object !== null ? (object as Record<string, unknown>)[key] : undefined);

function keysDirProblems(keysDir: string): string[] {
  if (!existsSync(join(keysDir, KEYS_FILES.keyring))) {
    // Absent keys are made at the first start (development defaults): the directory must be creatable.
    const problem = writableDirectoryProblem(keysDir);
    return problem === undefined ? [] : [`/keysDir: ${problem}`];
  }
  const problems: string[] = [];
  const attempt = (check: () => void): void => {
    try {
      check();
    } catch (error) {
      problems.push(`/keysDir: ${(error as Error).message}`);
    }
  };
  attempt(() => readKeyring(keysDir));
  attempt(() => {
    const root = readRootPublicKey(keysDir);
    attempt(() => openTrustList(readBundle(keysDir, KEYS_FILES.trustList), root));
    attempt(() => openDenyList(readBundle(keysDir, KEYS_FILES.denyList), root));
  });
  return problems;
}

/** The URL itself is never echoed: it may carry a password. */
function urlProblem(text: unknown, at: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    if (new URL(text).hostname === '') return `${at}: the URL names no host`;
  } catch {
    return `${at}: not a valid URL`;
  }
  return undefined;
}

/** Problems of the paths and addresses of a config value (one that may not have passed the schema). */
export function gatewayFileProblems(value: unknown, paths: { dataDir: string; keysDir: string; sqlitePath: string | undefined }): string[] {
  const problems: string[] = [];
  const dataProblem = writableDirectoryProblem(paths.dataDir);
  if (dataProblem !== undefined) problems.push(`/dataDir: ${dataProblem}`);
  problems.push(...keysDirProblems(paths.keysDir));
  if (paths.sqlitePath !== undefined) {
    // The service creates the data directory only; a ledger elsewhere needs its directory to exist.
    const dir = dirname(paths.sqlitePath);
    if (dir !== paths.dataDir && !(existsSync(dir) && statSync(dir).isDirectory())) problems.push(`/ledger/path: directory ${dir} does not exist`);
  }
  const mqtt = fieldOf(value, 'mqtt');
  if (fieldOf(mqtt, 'mode') === 'external') problems.push(...[urlProblem(fieldOf(mqtt, 'url'), '/mqtt/url')].filter((p) => p !== undefined));
  const connection = fieldOf(fieldOf(value, 'ledger'), 'connectionString');
  if (typeof connection === 'string' && /^postgres(ql)?:/.test(connection)) {
    problems.push(...[urlProblem(connection, '/ledger/connectionString')].filter((p) => p !== undefined));
  }
  return problems;
}

/** Every problem of the fare feed (file, line, field), or none when clearing is off. */
export function fareFeedProblems(feedDir: string | undefined): string[] {
  if (feedDir === undefined) return [];
  try {
    loadFeed(feedDir);
    return [];
  } catch (error) {
    if (error instanceof FareInputError) return error.problems.map((problem) => `/fares/feedDir: ${feedDir}: ${formatProblem(problem)}`);
    throw error;
  }
}
