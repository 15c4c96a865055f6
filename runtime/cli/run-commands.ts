/**
 * How a Faregate CLI runs: dispatch to a command, the user's input errors as one line
 * on stderr with exit code 2, anything else (a bug) with its stack and exit code 1.
 */
import { UsageError } from './args.ts';

/** Runs `commands[argv[2]]` with the rest of the arguments, as `runCli` does with a main. */
export async function runCommands(
  name: string,
  usage: string,
  commands: Record<string, (args: string[]) => Promise<void> | void>,
  inputErrors: Array<new (...args: never[]) => Error>,
): Promise<void> {
  await runCli(
    name,
    async () => {
      const [command, ...rest] = process.argv.slice(2);
      const handler = command === undefined ? undefined : commands[command];
      if (!handler) throw new UsageError(`${command === undefined ? 'no command' : `unknown command "${command}"`}\n${usage}`);
      await handler(rest);
    },
    inputErrors,
  );
}

/**
 * Runs a CLI main: errors named in `inputErrors` (and UsageError) are the user's
 * input → one line, exit 2; anything else is a bug → the stack, exit 1.
 */
export async function runCli(
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
