import type { Logger } from 'pino';
import type { Timers } from '../timers.ts';

/**
 * Scripted-test helper in the spirit of zwave-js's MockController `expect…(timeout, predicate)`:
 * resolves with the first value `check` returns (checked now and on every `subscribe`
 * notification), rejects after `timeoutMs`. Works with sinon fake timers.
 */
export function waitFor<T>(options: {
  subscribe: (notify: () => void) => () => void;
  check: () => T | undefined;
  timeoutMs: number;
  timers: Timers;
  what: string;
}): Promise<T> {
  const { subscribe, check, timeoutMs, timers, what } = options;
  return new Promise<T>((resolve, reject) => {
    const first = check();
    if (first !== undefined) {
      resolve(first);
      return;
    }
    const finish = (settle: () => void): void => {
      timers.clearTimeout(handle);
      unsubscribe();
      settle();
    };
    const unsubscribe = subscribe(() => {
      const value = check();
      if (value !== undefined) finish(() => resolve(value));
    });
    const handle = timers.setTimeout(
      () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))),
      timeoutMs,
    );
  });
}

/**
 * The error handler of a simulated part's listeners: logged when the part has a logger (the
 * simulator, where one validator's bug must not stop the others), rethrown otherwise (tests,
 * where a bug should fail loudly).
 */
export function reportOrThrow(logger: Logger | undefined, message: string): (error: unknown) => void {
  return (error) => {
    if (logger === undefined) throw error;
    logger.error({ err: error }, message);
  };
}
