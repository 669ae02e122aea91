/**
 * Decides which progress reports of one step go out: the first, every change of percent, and otherwise at
 * most one per interval, so that a chatty script cannot flood the connection.
 */
export class ProgressThrottle {
  #lastAt: number | undefined;
  #lastPercent: number | undefined;

  /** `now` is in milliseconds. */
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  /** True when a report with this percent may go out now; records it as sent. */
  admit(percent: number | undefined): boolean {
    const at = this.now();
    const changed = percent !== undefined && percent !== this.#lastPercent;
    if (this.#lastAt !== undefined && !changed && at - this.#lastAt < this.intervalMs) return false;
    this.#lastAt = at;
    if (percent !== undefined) this.#lastPercent = percent;
    return true;
  }
}

/** A percent the protocol accepts: an integer from 0 to 100, or undefined for none. */
export function normalisePercent(percent: number | undefined): number | undefined {
  if (percent === undefined || !Number.isFinite(percent)) return undefined;
  return Math.min(100, Math.max(0, Math.round(percent)));
}
