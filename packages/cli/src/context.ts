import type { Output } from './io.js';

/** What a command may use besides its flags: streams, environment, terminal, and the exit code it sets. */
export interface CliContext {
  readonly out: Output;
  /** The environment: EXROLLOUT_SERVER and EXROLLOUT_TOKEN are read from it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stdout is a terminal: `rollouts watch` redraws in place. */
  readonly isTTY: boolean;
  /** Terminal width, for cutting redrawn lines. */
  readonly columns: number;
  /** How often `watch` and `events --follow` poll, in milliseconds. */
  readonly pollMs: number;
  /** The exit code a command that ends normally asks for (a spawned process's, or 0). */
  exitCode: number;
}

/** Options of runCli besides the streams; everything has a default from the running process. */
export type CliEnvironment = Partial<Omit<CliContext, 'out' | 'exitCode'>>;

/** Builds a command context from the streams and optional overrides. */
export function createContext(out: Output, environment: CliEnvironment = {}): CliContext {
  return {
    out,
    env: environment.env ?? process.env,
    isTTY: environment.isTTY ?? false,
    columns: environment.columns ?? 100,
    pollMs: environment.pollMs ?? 1000,
    exitCode: 0,
  };
}
