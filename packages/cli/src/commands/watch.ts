import type { ApiClient } from '../api/client.js';
import type { RolloutView } from '../api/types.js';
import type { CliContext } from '../context.js';
import { RolloutStoppedError } from '../errors.js';
import { statusLines, stopLine, watchFrame } from '../render/watch.js';

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
  const printer = context.isTTY ? terminalPrinter(context) : logPrinter(context);
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

/** Redraws the whole view in place with ANSI cursor movement. */
function terminalPrinter(context: CliContext): (r: RolloutView) => void {
  let height = 0;
  return (rollout) => {
    const lines = watchFrame(rollout, context.columns);
    const up = height > 0 ? `\x1b[${height}A` : '';
    context.out.stdout.write(`${up}\x1b[0J${lines.join('\n')}\n`);
    height = lines.length;
  };
}

/** Prints one line per change of the rollout, a wave or a server: fit for CI logs. */
function logPrinter(context: CliContext): (r: RolloutView) => void {
  const seen = new Map<string, string>();
  return (rollout) => {
    for (const [key, line] of statusLines(rollout)) {
      if (seen.get(key) === line) continue;
      seen.set(key, line);
      context.out.stdout.write(`${line}\n`);
    }
  };
}
