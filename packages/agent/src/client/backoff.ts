/** Bounds of the reconnect delay. */
export interface BackoffOptions {
  /** Ceiling of the first delay, in milliseconds. @default 500 */
  readonly baseMs: number;
  /** Largest delay ever used, in milliseconds. @default 30000 */
  readonly maxMs: number;
}

/** The reconnect delay bounds used when none are given. */
export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ baseMs: 500, maxMs: 30_000 });

/** The upper bound of the delay before attempt `attempt` (0-based): `min(maxMs, baseMs * 2^attempt)`. */
export function backoffCeiling(attempt: number, { baseMs, maxMs }: BackoffOptions): number {
  // 2 ** 1024 is Infinity, which Math.min turns back into maxMs: no overflow to guard against.
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
}

/**
 * Exponential backoff with full jitter: each delay is uniform in [0, ceiling), so that many agents cut off
 * together do not come back together.
 */
export class Backoff {
  #attempt = 0;

  constructor(
    readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    if (!(options.baseMs > 0) || !(options.maxMs >= options.baseMs))
      throw new RangeError(
        `backoff needs 0 < baseMs <= maxMs (got baseMs ${options.baseMs}, maxMs ${options.maxMs})`,
      );
  }

  /** How many delays have been handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The next delay in whole milliseconds; each call widens the window until it reaches maxMs. */
  next(): number {
    const ceiling = backoffCeiling(this.#attempt, this.options);
    this.#attempt += 1;
    return Math.floor(this.random() * ceiling);
  }

  /** Starts again from the smallest window, after a connection that proved stable. */
  reset(): void {
    this.#attempt = 0;
  }
}
