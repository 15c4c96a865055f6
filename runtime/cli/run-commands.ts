/**
 * How a Faregate CLI runs: dispatch to a command, help on request, the user's input
 * errors as one line on stderr with exit code 2, anything else (a bug) with its
 * stack and exit code 1.
 */
import { UsageError } from './args.ts';

export interface Command {
  /**
   * The command's synopsis (without the CLI's invocation), then indented lines saying
   * what it does: printed by `CLI COMMAND --help` and, for all commands, by `CLI --help`.
   */
  usage: string;
  run(args: string[]): Promise<void> | void;
}

export interface CliSpec {
  /** Prefix of every error line, e.g. 'keys'. */
  name: string;
  /** How a user types the CLI, e.g. 'npm run keys --'. */
  invocation: string;
  commands: Record<string, Command>;
  /** Errors that mean bad input (exit 2, one line) rather than a bug. */
  inputErrors: Array<new (...args: never[]) => Error>;
}

const HELP_WORDS = new Set(['--help', '-h', 'help']);

export function fullUsage(spec: CliSpec): string {
  const lines = Object.values(spec.commands).map((command) => command.usage.replace(/^/gm, '  '));
  return [`usage: ${spec.invocation} <command> [options]`, ...lines, '  help [COMMAND]', '        this text, or one command\'s (also COMMAND --help, -h)'].join('\n');
}

export function commandUsage(spec: CliSpec, command: Command): string {
  return `usage: ${spec.invocation} ${command.usage}`;
}

/** What to do with the arguments: print help, or run a command. */
function dispatch(spec: CliSpec, argv: string[]): { help: string } | { command: Command; args: string[] } {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError(`no command\n${fullUsage(spec)}`);
  if (HELP_WORDS.has(first)) {
    const topic = rest[0];
    if (topic === undefined) return { help: fullUsage(spec) };
    const command = spec.commands[topic];
    if (!command) throw new UsageError(`no command "${topic}"\n${fullUsage(spec)}`);
    return { help: commandUsage(spec, command) };
  }
  const command = Object.hasOwn(spec.commands, first) ? spec.commands[first] : undefined;
  if (!command) throw new UsageError(`unknown command "${first}"\n${fullUsage(spec)}`);
  // `COMMAND --help` anywhere, or `COMMAND help` for commands with subcommands.
  if (rest.some((arg) => arg === '--help' || arg === '-h') || rest[0] === 'help') return { help: commandUsage(spec, command) };
  return { command, args: rest };
}

/** Runs the command named by `argv[2]` with the rest of the arguments, or prints help (exit 0). */
export async function runCommands(spec: CliSpec, argv: string[] = process.argv.slice(2)): Promise<void> {
  await runMain(
    spec.name,
    async () => {
      const next = dispatch(spec, argv);
      if ('help' in next) return void process.stdout.write(`${next.help}\n`);
      await next.command.run(next.args);
    },
    spec.inputErrors,
  );
}

/**
 * Runs a CLI main: errors named in `inputErrors` (and UsageError) are the user's
 * input → their message on stderr, exit 2; anything else is a bug → the stack, exit 1.
 */
async function runMain(
  name: string,
  main: () => Promise<void> | void,
  inputErrors: Array<new (...args: never[]) => Error>,
): Promise<void> {
  try {
    await main();
  } catch (error) {
    const isInput = error instanceof UsageError || inputErrors.some((type) => error instanceof type);
    if (isInput) {
      process.stderr.write(`${name}: ${(error as Error).message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${name}: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
