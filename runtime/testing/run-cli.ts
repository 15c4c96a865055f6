/** Runs one of the package's CLIs as a real process, the way a user would (tests only). */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(script: string, args: string[], input?: string): CliResult {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    input: input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same without blocking, so a test can run several CLI processes side by side. */
export function runCliAsync(script: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: child.exitCode ?? (error ? 1 : 0), stdout, stderr });
    });
    child.stdin?.end();
  });
}

export const keysCli = (...args: string[]): CliResult => runCli('keys/cli.ts', args);
export const validatorCli = (args: string[], input?: string): CliResult => runCli('validator/cli.ts', args, input);
export const gatewayCli = (...args: string[]): CliResult => runCli('gateway/cli.ts', args);
