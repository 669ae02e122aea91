/** SIGINT and SIGTERM as an AbortSignal, for as long as the demo runs. */
export interface Interruption {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** The exit code after an interruption (128 + SIGINT), as a shell reports a Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/**
 * The first Ctrl-C (or SIGTERM) asks the demo to stop and clean up: its keys in a shared Redis, its private
 * redis-server and data folder. A second one exits at once.
 */
export function interruption(): Interruption {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
