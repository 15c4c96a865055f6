/**
 * Reconnect delays: exponential with "equal jitter" (half fixed, half random), so a
 * fleet that lost its broker at one moment does not come back in lock-step.
 */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
