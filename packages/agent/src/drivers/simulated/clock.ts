import { setTimeout as delay } from 'node:timers/promises';

/** How the simulated driver lets time pass; inject another one to make tests instant. */
export interface SimulatedClock {
  /** Resolves after `ms` milliseconds; rejects as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The wall clock: steps take as long as their behaviour says. */
export const realClock: SimulatedClock = {
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};

/** A clock that never waits but adds up the time it was asked to sleep, and can run a hook on each sleep. */
export interface InstantClock extends SimulatedClock {
  /** The simulated milliseconds slept so far. */
  readonly elapsedMs: number;
  /** How many times sleep was called. */
  readonly sleeps: number;
}

/**
 * Creates an instant clock. `onSleep` runs before each sleep resolves, with the 1-based count of sleeps so
 * far, so that a test can abort a step at a chosen point (the fourth sleep of install is its last quarter).
 */
export function createInstantClock(onSleep?: (count: number) => void): InstantClock {
  let elapsedMs = 0;
  let sleeps = 0;
  return {
    get elapsedMs() {
      return elapsedMs;
    },
    get sleeps() {
      return sleeps;
    },
    async sleep(ms, signal) {
      signal.throwIfAborted();
      sleeps += 1;
      elapsedMs += ms;
      onSleep?.(sleeps);
      signal.throwIfAborted();
    },
  };
}
