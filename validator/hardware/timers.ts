/**
 * Injected timers (the MQTT.js get-timer idea). The defaults look the globals up at call time,
 * so sinon fake timers installed after import still take effect, and `now()` is monotonic so a
 * wall-clock jump at boot (a Pi 4 has no RTC) cannot stretch or shrink a window.
 */
export type TimerHandle = ReturnType<typeof globalThis.setTimeout>;

export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Monotonic milliseconds. */
  now(): number;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle),
  now: () => globalThis.performance.now(),
};

/** Resolves after `ms` on the given timers. */
export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => {
    timers.setTimeout(resolve, ms);
  });
}

/** Settles with `promise`, or resolves `false` after `ms` (the promise is left to settle on its own). */
export async function settleWithin(timers: Timers, promise: Promise<unknown>, ms: number): Promise<boolean> {
  let handle: TimerHandle | undefined;
  const timeout = new Promise<false>((resolve) => {
    handle = timers.setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    if (handle !== undefined) timers.clearTimeout(handle);
  }
}
