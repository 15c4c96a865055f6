/** Every config problem is found before start and listed together (schema, values, files). */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configProblems, writeJsonFile } from '../../runtime/testing/config-problems.ts';
import { validatorCli } from '../../runtime/testing/run-cli.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { TestKeys } from '../../runtime/testing/test-keys.ts';
import { loadValidatorConfig } from './validator-config.ts';

describe('validator config checks before start', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let keys: TestKeys;
  let otherKeys: TestKeys;
  before(async () => {
    ({ dir, remove } = await makeTempDir('config-checks'));
    keys = TestKeys.create(join(dir, 'keys'));
    otherKeys = TestKeys.create(join(dir, 'other-keys'));
    writeFileSync(join(dir, 'a-file'), '');
  });
  after(() => remove());

  const write = (name: string, config: Record<string, unknown>): string => writeJsonFile(dir, name, config);
  const good = (): Record<string, unknown> => ({
    device: 'gate-1',
    station: 'S1',
    zone: 1,
    mode: 'metro',
    stateDir: join(dir, 'state', 'gate-1'),
    rootPublicKeyFile: keys.rootPublicKeyFile,
    seedBundles: keys.seedBundles,
    hardware: 'simulated',
  });
  const problemsOf = (file: string): readonly string[] => configProblems(() => loadValidatorConfig(file));

  it('accepts a config whose files are all there (the state directory is created at start)', () => {
    assert.deepEqual(problemsOf(write('good.json', good())), []);
  });

  it('lists schema errors together with unreadable files and an unusable state directory', () => {
    const problems = problemsOf(
      write('bad.json', {
        ...good(),
        zone: -1,
        rootPublicKeyFile: join(dir, 'missing-root.pub.pem'),
        stateDir: join(dir, 'a-file', 'state'),
        mqtt: { url: 'mqtt://127.0.0.1:1883', username: 'gate-1', passwordFile: join(dir, 'missing-password'), tls: { caFile: join(dir, 'missing-ca.pem') } },
        passback: { stationKeyFile: join(dir, 'a-file') },
      }),
    );
    const expected = [
      /^\/zone: must be >= 0$/,
      new RegExp(`^/rootPublicKeyFile: ${join(dir, 'missing-root.pub.pem')}: does not exist \\(ENOENT\\)$`),
      new RegExp(`^/mqtt/passwordFile: ${join(dir, 'missing-password')}: does not exist`),
      new RegExp(`^/mqtt/tls/caFile: ${join(dir, 'missing-ca.pem')}: does not exist`),
      /^\/passback\/stationKeyFile: .*the key must be at least 32 characters/,
      /^\/stateDir: .*a part of the path is not a directory/,
    ];
    for (const pattern of expected) assert.ok(problems.some((problem) => pattern.test(problem)), `${pattern} not in:\n${problems.join('\n')}`);
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });

  it('refuses a root key file that is no key, and seed bundles not signed by that root', () => {
    writeFileSync(join(dir, 'not-a-key.pem'), 'hello');
    const notAKey = problemsOf(write('not-a-key.json', { ...good(), rootPublicKeyFile: join(dir, 'not-a-key.pem') }));
    assert.equal(notAKey.length, 1, notAKey.join('\n'));
    assert.match(notAKey[0]!, /^\/rootPublicKeyFile: /);
    const foreign = problemsOf(write('foreign.json', { ...good(), seedBundles: otherKeys.seedBundles }));
    assert.deepEqual(
      foreign.map((problem) => problem.split(':')[0]),
      ['/seedBundles/trustList', '/seedBundles/denyList'],
    );
  });

  it('refuses two gate parts on one GPIO line, and lists it with the relay/fail-safe contradiction', () => {
    const gpio = {
      outputs: { relay: { line: 17 }, greenLight: { line: 27 }, redLight: { line: 22 }, buzzer: { line: 23 } },
      inputs: { passage: { line: 5 }, emergency: { line: 27 }, doorForced: { line: 13 } },
    };
    const problems = problemsOf(write('gpio.json', { ...good(), hardware: { gpio, qr: { kind: 'stdin' }, display: { kind: 'none' } } }));
    assert.deepEqual(problems, [
      "/hardware/gpio/outputs/relay/safeOn: must be true when gate.failSafe is 'unlocked' (relay on = lane unlocked)",
      '/hardware/gpio/inputs/emergency/line: GPIO line 27 is already used by greenLight',
    ]);
  });

  it('validator run: every problem on stderr, exit 2, no stack trace, nothing started', () => {
    mkdirSync(join(dir, 'run'), { recursive: true });
    const file = write('run/bad.json', { ...good(), mode: 'boat', rootPublicKeyFile: join(dir, 'missing-root.pub.pem') });
    const result = validatorCli(['run', '--config', file]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^validator: invalid configuration in .*bad\.json:\n {2}\/mode: must be equal to one of the allowed values \(metro, bus, tram, rail\)\n {2}\/rootPublicKeyFile: .*does not exist/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(result.stdout, '', 'nothing logged: nothing started');
  });
});
