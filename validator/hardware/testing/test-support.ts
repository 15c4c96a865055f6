/** Shared test plumbing: fake clock (only the timers the drivers use) and a capturing logger. */
import { pino, type Logger } from 'pino';
import type { SinonFakeTimers, SinonSandbox } from 'sinon';

/**
 * Fakes timers, Date and performance.now, but not nextTick/queueMicrotask/setImmediate, which
 * streams and node:test itself rely on.
 */
export function useFakeClock(sandbox: SinonSandbox): SinonFakeTimers {
  return sandbox.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
}

export interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

/** A pino logger that keeps every line in memory, for asserting what was logged. */
export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

export const silentLogger: Logger = pino({ level: 'silent' });
