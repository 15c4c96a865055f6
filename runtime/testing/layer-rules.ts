/**
 * The import rules between the top-level folders (issue 7), checked by
 * runtime/layers.test.ts over every .ts file: `scripts/` (bench, deploy, CI) is imported
 * from nowhere else, and the two services never reach into each other — what both need
 * lives in `protocol/` (contracts) or `runtime/` (shared runtime and test support).
 */
import { dirname, normalize, posix } from 'node:path';

interface LayerRule {
  /** Top-level folder of the importing file; '*' = any other than `to`. */
  from: string;
  /** Top-level folder that may not be imported. */
  to: string;
  why: string;
}

export const LAYER_RULES: readonly LayerRule[] = [
  { from: '*', to: 'scripts', why: 'scripts/ holds bench, deployment and CI only' },
  { from: 'gateway', to: 'validator', why: 'the gateway never imports the validator (share through protocol/ or runtime/)' },
  { from: 'validator', to: 'gateway', why: 'the validator never imports the gateway (share through protocol/ or runtime/)' },
];

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/** The module specifiers a source file imports (static, side-effect and dynamic imports). */
export function importSpecifiers(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((match) => match[1] ?? '');
}

function topFolder(path: string): string {
  return path.split('/')[0] ?? '';
}

/** Each rule one import breaks, as `file: imports target (why)`. `file` is relative to the repository root, with `/`. */
export function layerViolations(file: string, specifier: string): string[] {
  if (!specifier.startsWith('.')) return [];
  const target = normalize(posix.join(dirname(file), specifier)).split('\\').join('/');
  const from = topFolder(file);
  const to = topFolder(target);
  return LAYER_RULES.filter((rule) => rule.to === to && (rule.from === from || (rule.from === '*' && from !== to))).map(
    (rule) => `${file}: imports ${target} (${rule.why})`,
  );
}
