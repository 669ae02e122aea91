import type { ApiClient } from '../api/client.js';
import type { RolloutView } from '../api/types.js';
import type { CliContext } from '../context.js';
import { failureLines } from '../render/rollouts.js';
import { changePrinter, framePrinter, stopLine } from '../render/watch.js';
import { outcomeError, stopsWatch } from './outcome.js';

/** How `rollouts watch` follows a rollout. */
export interface WatchOptions {
  /** Stop (exit code 3) when the rollout waits for an approver, instead of waiting through the gate. */
  readonly stopAtGate?: boolean;
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `rollouts watch ID`: polls the rollout and shows it live, through approval gates unless told to stop at one,
 * until it ends or stops; then prints its failures by error code, and throws when it did not end well.
 */
export async function watchCommand(
  api: ApiClient,
  id: string,
  context: CliContext,
  options: WatchOptions = {},
): Promise<void> {
  const write = (text: string) => context.out.stdout.write(text);
  const printer = context.isTTY ? framePrinter(write, context.columns) : changePrinter(write);
  const path = `/api/v1/rollouts/${encodeURIComponent(id)}`;
  for (;;) {
    const rollout = (await api.get(path)) as RolloutView;
    printer(rollout);
    if (stopsWatch(rollout.state, options.stopAtGate === true)) {
      const lines = [stopLine(rollout), ...failureLines(rollout)];
      context.out.stdout.write(`${lines.join('\n')}\n`);
      const error = outcomeError(rollout);
      if (error) throw error;
      return;
    }
    await sleep(context.pollMs);
  }
}
