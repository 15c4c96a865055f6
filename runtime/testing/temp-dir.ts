/** A fresh temporary directory per test, removed by the returned function (tests only). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function makeTempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `faregate-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
