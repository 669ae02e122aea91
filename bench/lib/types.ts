/** One benchmark figure, measured against a baseline taken in the same run. */
export interface BenchResult {
  readonly name: string;
  /** The measured figure, in `unit`. */
  readonly figure: number;
  /** The same-run baseline in the same unit, or null when the figure has none (then ratio is figure / target). */
  readonly baseline: number | null;
  /** figure / baseline (or figure / target without a baseline). */
  readonly ratio: number;
  readonly unit: string;
  /** The target, in `unit` (or as a ratio when `targetIsRatio`). */
  readonly target: number;
  readonly targetIsRatio?: boolean;
  /** The target is a floor (figure or ratio at least `target`), not a ceiling. */
  readonly targetIsMinimum?: boolean;
  readonly pass: boolean;
  readonly details: Record<string, unknown>;
}

/** Settings shared by every bench. */
export interface BenchOptions {
  readonly quick: boolean;
  /** Idle window of the agent footprint bench, in seconds. */
  readonly idleSeconds: number;
  readonly redisUrl: string;
  /** Gateway bench: simulated agents (default 10,000; 1,000 with --quick). */
  readonly agents?: number;
  /** Gateway bench: length of each sustained phase in seconds (default 20; 5 with --quick). */
  readonly gatewaySeconds?: number;
  /** Gateway bench: write V8 CPU profiles of the exrollout server process, one per phase, here. */
  readonly cpuProfDir?: string;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const at = (i: number) => sorted[i] ?? Number.NaN;
  return sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** The q-quantile (0..1) of a list, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Rounds to `digits` decimals for the report. */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
