import type { ApiClient } from '../api/client.js';
import type { RolloutView } from '../api/types.js';
import type { CliContext } from '../context.js';
import { RolloutStoppedError } from '../errors.js';
import { changePrinter, framePrinter, stopLine } from '../render/watch.js';

/** States in which `rollouts watch` stops; the first two end it with exit code 0. */
export const WATCH_STOP_STATES: readonly string[] = [
  'completed',
  'rolled-back',
  'aborted',
  'halted',
  'awaiting-approval',
];
const SUCCESS_STATES = new Set(['completed', 'rolled-back']);

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `rollouts watch ID`: polls the rollout and shows it live until it stops; throws when it did not succeed. */
export async function watchCommand(api: ApiClient, id: string, context: CliContext): Promise<void> {
  const write = (text: string) => context.out.stdout.write(text);
  const printer = context.isTTY ? framePrinter(write, context.columns) : changePrinter(write);
  const path = `/api/v1/rollouts/${encodeURIComponent(id)}`;
  for (;;) {
    const rollout = (await api.get(path)) as RolloutView;
    printer(rollout);
    if (WATCH_STOP_STATES.includes(rollout.state)) {
      context.out.stdout.write(`${stopLine(rollout)}\n`);
      if (SUCCESS_STATES.has(rollout.state)) return;
      throw new RolloutStoppedError(rollout.id, rollout.state, whyStopped(rollout));
    }
    await sleep(context.pollMs);
  }
}

function whyStopped(r: RolloutView): string | null {
  if (r.state === 'awaiting-approval') return r.reason ?? `wave ${r.currentWave + 1} waits for an approver`;
  return r.reason;
}
