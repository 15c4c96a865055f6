import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importSpecifiers, layerViolations } from './testing/layer-rules.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('import layers', () => {
  it('finds no import of scripts/ from outside it and none between validator/ and gateway/', () => {
    const files = typeScriptFiles(ROOT);
    assert.ok(files.length > 100, `expected the whole tree, found ${files.length} files`);
    const violations = files.flatMap((path) => {
      const file = relative(ROOT, path).split('\\').join('/');
      return importSpecifiers(readFileSync(path, 'utf8')).flatMap((specifier) => layerViolations(file, specifier));
    });
    assert.deepEqual(violations, []);
  });

  it('reports an import of scripts/ from a service and allows one inside scripts/', () => {
    assert.equal(layerViolations('validator/cli.ts', '../scripts/cli/cli-support.ts').length, 1);
    assert.equal(layerViolations('keys/cli.test.ts', '../scripts/testing/run-cli.ts').length, 1);
    assert.deepEqual(layerViolations('scripts/bench/run.ts', '../stats.ts'), []);
    assert.deepEqual(layerViolations('scripts/bench/run.ts', '../../validator/check/ticket-checker.ts'), []);
  });

  it('reports gateway → validator and validator → gateway imports, static or dynamic', () => {
    const source = [
      "import { hashPrefix } from '../../validator/service/logger.ts';",
      "const { x } = await import('../gateway/broker/embedded-broker.ts');",
      "import type { Ledger } from './ledger/ledger.ts';",
    ].join('\n');
    assert.deepEqual(importSpecifiers(source), ['../../validator/service/logger.ts', '../gateway/broker/embedded-broker.ts', './ledger/ledger.ts']);
    assert.match(layerViolations('gateway/integration/gateway-harness.ts', '../../validator/service/logger.ts')[0] ?? '', /gateway never imports the validator/);
    assert.match(layerViolations('validator/run-command.ts', '../gateway/broker/embedded-broker.ts')[0] ?? '', /validator never imports the gateway/);
    assert.deepEqual(layerViolations('gateway/service/gateway-service.ts', '../../protocol/mqtt/topics.ts'), []);
    assert.deepEqual(layerViolations('gateway/run-command.ts', 'pino'), []);
  });
});
