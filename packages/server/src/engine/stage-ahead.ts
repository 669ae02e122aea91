import type { InventoryStore } from '../stores/inventory-store.js';
import type { ServerRun } from './model.js';
import { readAhead, runOf } from './reads.js';
import { issueStep } from './steps.js';
import type { RolloutStore } from './store.js';
import type { Work } from './work.js';

const SYSTEM = 'exrollout';
/** Rollout states in which servers may stage ahead of their wave: running, or waiting at a gate. */
const STAGING_STATES = new Set(['running', 'awaiting-approval']);

/**
 * Stages servers ahead of their wave (policy stageAhead): walks the plan from a cursor kept in the rollout's
 * record and sends the stage step to pending servers not staged yet, up to stageConcurrency at once. A staged
 * server goes back to pending, its stage step done; a server whose staging failed is failed, never started.
 */
export async function stageAhead(work: Work, store: RolloutStore, inventory: InventoryStore): Promise<void> {
  const { policy } = work.meta;
  // Only a rollout with packages from the store has a stage step (packageBytes); a rollback never has one.
  if (!policy.stageAhead || !policy.packageBytes || work.meta.kind === 'rollback') return;
  if (!STAGING_STATES.has(work.meta.state)) return;
  const order = work.plan.waves.flatMap((wave) => wave.servers.map((server) => server.name));
  let { cursor, inFlight } = work.meta.staging ?? { cursor: 0, inFlight: 0 };
  while (inFlight < policy.stageConcurrency && cursor < order.length) {
    const batch = order.slice(cursor, cursor + policy.stageConcurrency - inFlight);
    await readAhead(work, store, inventory, batch);
    for (const name of batch) {
      cursor++;
      const run = await runOf(work, store, name);
      if (!run || !needsStaging(run)) continue;
      inFlight++;
      const staging: ServerRun = { ...run, state: 'running', stepIndex: 0, aheadStaging: true };
      work.setRun(staging);
      work.event(
        SYSTEM,
        'server.staging-started',
        `${run.name}: staging its package ahead of its wave`,
        run.name,
      );
      await issueStep(work, staging, inventory, store);
    }
  }
  work.setMeta({ staging: { cursor, inFlight } });
}

/** Frees the slot of a server whose staging ahead ended (staged, failed or timed out). */
export function stagingEnded(work: Work): void {
  const staging = work.meta.staging;
  if (staging) work.setMeta({ staging: { ...staging, inFlight: Math.max(0, staging.inFlight - 1) } });
}

/** The run once its stage step succeeded ahead of its wave: pending again, at the step after stage. */
export function stagedAhead(work: Work, run: ServerRun, staged: ServerRun['staged']): ServerRun {
  const { commandId: _c, commandSentAt: _s, acked: _a, aheadStaging: _h, startedAt: _t, ...rest } = run;
  const next: ServerRun = { ...rest, state: 'pending', stepIndex: 1, ...(staged ? { staged } : {}) };
  work.setRun(next);
  stagingEnded(work);
  work.event(
    SYSTEM,
    'server.staged',
    `${run.name}: package staged${staged?.skipped ? ' (already there, verified)' : ''}; it waits for its wave`,
    run.name,
    staged ? { staged } : {},
  );
  return next;
}

function needsStaging(run: ServerRun): boolean {
  return (
    run.state === 'pending' && run.stepIndex === 0 && run.steps[0] === 'stage' && run.staged === undefined
  );
}
