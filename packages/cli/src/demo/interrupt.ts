/** SIGINT, SIGTERM and SIGHUP as an AbortSignal, for as long as the demo runs. */
export interface Interruption {
  readonly signal: AbortSignal;
  dispose(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The exit code after an interruption (128 + SIGINT), as a shell reports a Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/**
 * The first Ctrl-C (SIGTERM, or SIGHUP: its terminal closed) asks the demo to stop and clean up: its keys in a
 * shared Redis, its private redis-server and data folder. A second one exits at once.
 */
export function interruption(): Interruption {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    // A closed terminal fails every later write: that must not end the demo before it has cleaned up.
    if (name === 'SIGHUP')
      for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    controller.abort(name);
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of SIGNALS) process.off(name, onSignal);
    },
  };
}
