/**
 * The exact `token create` command that reaches a running gateway's ledger: the
 * `--config` and `--data-dir` it was started with. Without them the command would
 * write to ./data and make a token this gateway refuses (npm start uses data/demo).
 */
import { isAbsolute, relative, resolve } from 'node:path';

/** How the gateway was started, as given on its command line. */
export interface GatewayWhereabouts {
  configPath?: string | undefined;
  dataDir?: string | undefined;
}

/** Relative to the working directory (the project root under npm) when inside it, else absolute. */
function displayPath(path: string): string {
  const absolute = resolve(path);
  const inside = relative(process.cwd(), absolute);
  const shown = inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : absolute;
  return /^[\w./-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`;
}

export function tokenCreateCommand(where: GatewayWhereabouts = {}): string {
  const parts = ['npm run gateway -- token create --name NAME'];
  if (where.configPath !== undefined) parts.push(`--config ${displayPath(where.configPath)}`);
  if (where.dataDir !== undefined) parts.push(`--data-dir ${displayPath(where.dataDir)}`);
  return parts.join(' ');
}
