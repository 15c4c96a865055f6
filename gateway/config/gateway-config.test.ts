/** The gateway's config: every problem found before start and listed together. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initKeys } from '../../keys/keyring.ts';
import { configProblems, writeJsonFile } from '../../runtime/testing/config-problems.ts';
import { runCli } from '../../runtime/testing/run-cli.ts';
import { ROOT } from '../../runtime/testing/validator-process.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { loadGatewayConfig, type GatewayOverrides } from './gateway-config.ts';

describe('gateway config checks before start', () => {
  let dir: string;
  let remove: () => Promise<void>;
  before(async () => {
    ({ dir, remove } = await makeTempDir('gateway-config'));
    writeFileSync(join(dir, 'a-file'), '');
  });
  after(() => remove());

  const write = (name: string, config: Record<string, unknown>): string => writeJsonFile(dir, name, config);
  const problemsOf = (file: string | undefined, overrides: GatewayOverrides = {}): readonly string[] => configProblems(() => loadGatewayConfig(file, overrides));

  it('accepts defaults in a data directory yet to be made, and an existing keys directory', () => {
    assert.deepEqual(problemsOf(undefined, { dataDir: join(dir, 'new', 'data') }), []);
    initKeys(join(dir, 'keys-ok'), {});
    assert.deepEqual(problemsOf(write('ok.json', { dataDir: join(dir, 'data-ok'), keysDir: join(dir, 'keys-ok') })), []);
  });

  it('lists schema errors with an unusable data directory, a damaged keys directory and a ledger directory that does not exist', () => {
    const keysDir = join(dir, 'keys-damaged');
    initKeys(keysDir, {});
    writeFileSync(join(keysDir, 'root.pub.pem'), 'not a key');
    const problems = problemsOf(
      write('bad.json', {
        dataDir: join(dir, 'a-file'),
        keysDir,
        http: { port: 70000 },
        ledger: { kind: 'sqlite', path: join(dir, 'no-such-dir', 'ledger.sqlite') },
      }),
    );
    const expected = [/^\/http\/port: must be <= 65535$/, /^\/dataDir: .*a-file: is not a directory$/, /^\/keysDir: /, /^\/ledger\/path: directory .*no-such-dir does not exist$/];
    for (const pattern of expected) assert.ok(problems.some((problem) => pattern.test(problem)), `${pattern} not in:\n${problems.join('\n')}`);
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });

  it('refuses a flag that does not fit the config, and an external broker URL with no host, without echoing the URL', () => {
    const problems = problemsOf(
      write('external.json', { dataDir: join(dir, 'data-ext'), mqtt: { mode: 'external', url: 'mqtt://user:secret@', username: 'u', password: 'p' } }),
      { mqttPort: 1884 },
    );
    assert.deepEqual(problems, ['--mqtt-port: only for the embedded broker; the external broker is mqtt.url', '/mqtt/url: not a valid URL']);
    assert.doesNotMatch(problems.join('\n'), /secret/);
  });

  it('lists every problem of the fare feed with its file, line and field, and takes --fare-feed over fares.feedDir', () => {
    const feed = join(dir, 'bad-feed');
    mkdirSync(feed, { recursive: true });
    writeFileSync(join(feed, 'agency.txt'), 'agency_id,agency_name,agency_timezone\nA,Agency,Mars/Olympus\n');
    writeFileSync(join(feed, 'stops.txt'), 'stop_id,stop_name\ns1,One\n');
    const problems = problemsOf(write('fares.json', { dataDir: join(dir, 'data-fares'), fares: { feedDir: join(dir, 'no-feed'), minTravelSeconds: -1 } }), { fareFeed: feed });
    assert.ok(problems.includes('/fares/minTravelSeconds: must be >= 0'), problems.join('\n'));
    assert.ok(problems.some((p) => /^\/fares\/feedDir: .*bad-feed: agency\.txt:2 agency_timezone: "Mars\/Olympus" is not an IANA time zone$/.test(p)), problems.join('\n'));
    assert.ok(!problems.some((p) => p.includes('no-feed')), 'the flag wins over the file');
    const config = loadGatewayConfig(undefined, { dataDir: join(dir, 'data-fares'), fareFeed: join(ROOT, 'gateway/fares/examples/demo-feed') });
    assert.deepEqual(config.fares, { feedDir: join(ROOT, 'gateway/fares/examples/demo-feed'), minTravelSeconds: 120, lateAfterSeconds: 300 });
  });

  it('gateway run: every problem on stderr, exit 2, no stack trace', () => {
    mkdirSync(join(dir, 'run'), { recursive: true });
    const file = write('run/bad.json', { dataDir: join(dir, 'a-file'), logLevel: 'loud' });
    const result = runCli('gateway/cli.ts', ['run', '--config', file, '--http-port', '0', '--mqtt-port', '0']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^gateway: invalid configuration in .*bad\.json:\n {2}\/logLevel: must be equal to one of the allowed values .*\n {2}\/dataDir: .*is not a directory\n {2}\/keysDir: .*a part of the path is not a directory \(ENOTDIR\)\n$/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});
