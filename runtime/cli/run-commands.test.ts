import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sinon from 'sinon';
import { UsageError } from './args.ts';
import { runCommands, type CliSpec } from './run-commands.ts';

describe('runCommands', () => {
  const sandbox = sinon.createSandbox();
  let out: string;
  let err: string;
  let ran: string[][];
  const spec: CliSpec = {
    name: 'demo',
    invocation: 'demo',
    commands: {
      make: { usage: 'make --size N\n        makes a thing', run: (args) => void ran.push(args) },
      fail: {
        usage: 'fail',
        run: () => {
          throw new UsageError('--size: not a number');
        },
      },
    },
    inputErrors: [],
  };

  beforeEach(() => {
    out = '';
    err = '';
    ran = [];
    process.exitCode = undefined;
    sandbox.stub(process.stdout, 'write').callsFake((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    sandbox.stub(process.stderr, 'write').callsFake((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  });
  afterEach(() => {
    sandbox.restore();
    process.exitCode = undefined;
  });

  for (const words of [['--help'], ['-h'], ['help']]) {
    it(`prints every command's usage on stdout for ${words.join(' ')}, exit 0`, async () => {
      await runCommands(spec, words);
      const [exitCode, stdout, stderr] = [process.exitCode, out, err];
      sandbox.restore();
      assert.equal(exitCode, undefined);
      assert.match(stdout, /^usage: demo <command> \[options\]\n  make --size N\n          makes a thing\n  fail\n  help \[COMMAND\]/);
      assert.equal(stderr, '');
    });
  }

  for (const words of [['make', '--help'], ['make', '--size', '3', '-h'], ['help', 'make'], ['make', 'help']]) {
    it(`prints one command's usage for ${words.join(' ')} without running it`, async () => {
      await runCommands(spec, words);
      const [exitCode, stdout] = [process.exitCode, out];
      sandbox.restore();
      assert.equal(exitCode, undefined);
      assert.equal(stdout, 'usage: demo make --size N\n        makes a thing\n');
      assert.deepEqual(ran, []);
    });
  }

  it('prints the usage on stderr with exit code 2 for an unknown command or none', async () => {
    for (const words of [['frobnicate'], [], ['help', 'frobnicate'], ['toString']]) {
      err = '';
      process.exitCode = undefined;
      await runCommands(spec, words);
      const [exitCode, stdout, stderr] = [process.exitCode, out, err];
      assert.equal(exitCode, 2, words.join(' '));
      assert.equal(stdout, '');
      assert.match(stderr, /^demo: (unknown command "frobnicate"|no command|no command "frobnicate"|unknown command "toString")\nusage: demo <command>/);
    }
  });

  it('runs the command with the rest of the arguments; its input errors are one line and exit 2', async () => {
    await runCommands(spec, ['make', '--size', '3']);
    assert.deepEqual(ran, [['--size', '3']]);
    await runCommands(spec, ['fail']);
    const [exitCode, stderr] = [process.exitCode, err];
    sandbox.restore();
    assert.equal(exitCode, 2);
    assert.equal(stderr, 'demo: --size: not a number\n');
  });
});
