/** Every CLI and every subcommand answers --help / -h / help with its usage. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import sinon from 'sinon';
import { GATEWAY_CLI } from '../../gateway/cli-spec.ts';
import { KEYS_CLI } from '../../keys/cli-spec.ts';
import { VALIDATOR_CLI } from '../../validator/cli-spec.ts';
import { runCliAsync } from '../testing/run-cli.ts';
import { runCommands, type CliSpec } from './run-commands.ts';

/** Each CLI with the commands it must have at least; every command of its spec is tested. */
const CLIS: Array<[CliSpec, string, string[]]> = [
  [KEYS_CLI, 'keys/cli.ts', ['init', 'add-issuer', 'rotate', 'retire', 'list', 'remove', 'signing-key', 'deny', 'issue', 'code', 'inspect']],
  [VALIDATOR_CLI, 'validator/cli.ts', ['check', 'run']],
  [GATEWAY_CLI, 'gateway/cli.ts', ['run', 'device', 'token']],
];

/** Runs the CLI in this process with stdout/stderr captured; nothing of the command runs for help. */
async function inProcess(spec: CliSpec, argv: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sandbox = sinon.createSandbox();
  sandbox.stub(process.stdout, 'write').callsFake((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  sandbox.stub(process.stderr, 'write').callsFake((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await runCommands(spec, argv);
  } finally {
    sandbox.restore();
  }
  const exitCode = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { exitCode, stdout, stderr };
}

describe('CLI help', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  for (const [spec, script, required] of CLIS) {
    const commands = Object.keys(spec.commands);
    it(`${spec.name} has the commands ${required.join(', ')} (and every command below answers help)`, () => {
      for (const command of required) assert.ok(commands.includes(command), command);
    });

    it(`${spec.name}: each command's --help, -h and help print its usage on stdout, exit 0`, async () => {
      for (const command of commands) {
        for (const argv of [[command, '--help'], [command, '-h'], ['help', command]]) {
          const result = await inProcess(spec, argv);
          assert.equal(result.exitCode, undefined, `${argv.join(' ')}: ${result.stderr}`);
          assert.match(result.stdout, new RegExp(`^usage: npm run ${spec.name} -- ${command}\\b`), argv.join(' '));
          assert.equal(result.stderr, '');
        }
      }
    });

    it(`${spec.name} as a process: --help lists every command (exit 0); an unknown command prints the usage on stderr (exit 2)`, async () => {
      const [help, short, unknown] = await Promise.all([runCliAsync(script, ['--help']), runCliAsync(script, ['-h']), runCliAsync(script, ['frobnicate'])]);
      for (const result of [help, short]) {
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, new RegExp(`^usage: npm run ${spec.name} -- <command>`));
        for (const command of commands) assert.match(result.stdout, new RegExp(`^  ${command}\\b`, 'm'), `${command} listed`);
        assert.equal(result.stderr, '');
      }
      assert.equal(unknown.status, 2);
      assert.equal(unknown.stdout, '');
      assert.match(unknown.stderr, new RegExp(`^${spec.name}: unknown command "frobnicate"\\nusage: npm run ${spec.name} -- <command>`));
    });
  }
});
