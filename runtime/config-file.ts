/**
 * Loading a service's JSON configuration: read and parse the file, validate it with
 * an Ajv schema (allErrors) and list every problem as `path: message` in one
 * ConfigError (the CLIs print it and exit with code 2, before anything starts).
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type Options as AjvOptions } from 'ajv';

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`invalid configuration in ${source}:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and parses a JSON file; an unreadable file or bad JSON is a ConfigError. */
export function readJsonConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`], path);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError([`not valid JSON: ${(error as Error).message}`], path);
  }
}

/** A schema check that returns the problems (none when valid), each as `path: message`. */
export function compileConfigSchema(schema: object, options: AjvOptions = {}): (value: unknown) => string[] {
  const validate = new Ajv({ allErrors: true, strict: false, ...options }).compile(schema);
  return (value) => (validate(value) ? [] : describeSchemaErrors(validate.errors ?? []));
}

function describeSchemaErrors(errors: readonly ErrorObject[]): string[] {
  const problems = errors
    // oneOf/if branches repeat their children's errors; the children say more.
    .filter((error) => !['oneOf', 'if'].includes(error.keyword))
    .map((error) => {
      const path = error.instancePath || '/';
      const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
      const allowed =
        error.keyword === 'enum'
          ? ` (${(error.params.allowedValues as unknown[]).join(', ')})`
          : error.keyword === 'const'
            ? ` (${JSON.stringify(error.params.allowedValue)})`
            : '';
      return `${path}: ${error.message ?? 'is invalid'}${extra}${allowed}`;
    });
  return [...new Set(problems)];
}
