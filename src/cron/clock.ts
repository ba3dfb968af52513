/**
 * The scheduler's one view of time: `now()` and a single-shot timer. The gateway uses the
 * system clock; tests pass a fake one and move it forward, so schedules of days run in
 * milliseconds and nothing sleeps.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once after `delayMs`; the returned function cancels it. */
  setTimer(fn: () => void, delayMs: number): () => void;
}

/**
 * Node's timers take at most 2^31-1 ms (~24.8 days); a longer delay fires at once. Longer
 * waits are chained through intermediate wake-ups that only re-arm.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, delayMs) {
    let handle: NodeJS.Timeout;
    const arm = (remaining: number) => {
      const step = Math.min(Math.max(0, remaining), MAX_TIMER_DELAY_MS);
      handle = setTimeout(() => (remaining > step ? arm(remaining - step) : fn()), step);
      // The scheduler never keeps the process alive by itself (the server does).
      handle.unref();
    };
    arm(delayMs);
    return () => clearTimeout(handle);
  },
};

/** Resolves after `ms` on `clock` (retry back-off), or at once when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const cancel = clock.setTimer(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
