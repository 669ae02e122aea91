import { canonicalBuild, insideWindows, nextWindowOpening } from '@exrollout/core';
import type { InventoryStore, ServerRecord } from '../stores/inventory-store.js';
import { commandIdFor, precheckLive, stepArgs, type Unfit } from './commands.js';
import { type JobData, jobIdFor } from './jobs.js';
import type { ServerRun } from './model.js';
import { recordOf } from './reads.js';
import { stagingEnded } from './stage-ahead.js';
import type { RolloutStore } from './store.js';
import type { Work } from './work.js';

/** First check of the command outstanding for a step: soon, to redeliver one that was lost. */
export const FIRST_WATCH_MS = 5000;
const SYSTEM = 'exrollout';

/** Starts a server's turn: checks the live inventory, then sends its first step (or skips it with the reason). */
export async function startServer(
  work: Work,
  run: ServerRun,
  inventory: InventoryStore,
  store: RolloutStore,
): Promise<void> {
  const record = await recordOf(work, inventory, run.name);
  const unfit = precheckLive(run, record, work.update, work.meta.policy);
  // A server staged ahead of its wave starts at the step after stage.
  const first = run.steps[0] === 'stage' && run.staged !== undefined ? 1 : 0;
  const started: ServerRun = {
    ...run,
    state: 'running',
    stepIndex: first,
    startedAt: work.now.toISOString(),
  };
  work.setRun(started);
  work.event(SYSTEM, 'server.started', `${run.name} started (attempt ${run.attempt})`, run.name);
  if (unfit) return finishUnfit(work, started, unfit);
  await issueStep(work, started, inventory, store, record);
}

/** Sends the run's current step to its agent, passing over steps with nothing to do. */
export async function issueStep(
  work: Work,
  initial: ServerRun,
  inventory: InventoryStore,
  store: RolloutStore,
  // The server's live record, when the caller has just read it.
  known?: ServerRecord,
): Promise<void> {
  let run = initial;
  const record = known ?? (await recordOf(work, inventory, run.name));
  const peers = run.cluster ? await inventory.clusterPeers(run.cluster, run.name) : [];
  const updatedInRollout = run.cluster ? await updatedNodes(work, store, run.cluster) : new Set<string>();
  while (run.stepIndex < run.steps.length) {
    const step = run.steps[run.stepIndex];
    const plan = stepArgs({
      run,
      record,
      peers,
      updatedInRollout,
      update: work.update,
      policy: work.meta.policy,
    });
    if ('unfit' in plan) return finishUnfit(work, run, plan.unfit);
    if ('nothing' in plan) {
      if (!plan.quiet)
        work.event(
          SYSTEM,
          'server.step-passed',
          `${run.name}: ${step}: nothing to do (${plan.nothing})`,
          run.name,
          { step },
        );
      run = { ...run, stepIndex: run.stepIndex + 1 };
      continue;
    }
    if (step === 'restart' && deferredToWindow(work, run)) return;
    const commandId = commandIdFor(work.meta.id, run);
    const size = step === 'stage' ? plan.args.size : undefined;
    const sent: ServerRun = {
      ...run,
      commandId,
      commandSentAt: work.now.toISOString(),
      acked: false,
      ...(typeof size === 'number' ? { stageBytes: size } : {}),
    };
    const { progress: _progress, waiting: _waiting, ...withoutProgress } = sent;
    work.setRun(withoutProgress);
    const command = {
      rolloutId: work.meta.id,
      commandId,
      server: run.name,
      step: run.steps[run.stepIndex] ?? 'precheck',
      args: plan.args,
    };
    work.agentCommands.push({ server: run.name, command });
    work.deliveries.push({ kind: 'command', command });
    work.job(
      'watch',
      { rolloutId: work.meta.id, server: run.name, commandId, check: 0 },
      jobIdFor('watch', commandId, 0),
      FIRST_WATCH_MS,
    );
    return;
  }
  const reported = record ? canonicalBuild(record.report.build) : undefined;
  finishSucceeded(work, run, run.toBuild ?? reported);
}

/**
 * Holds the run's current step until `until` (a maintenance window opening, or the wait before an install retry):
 * no command is out meanwhile, and a resume job sends the step then.
 */
export function holdStep(work: Work, run: ServerRun, reason: string, until: Date): void {
  const waiting = { reason, until: until.toISOString() };
  work.setRun({
    ...withoutCommand(run, true),
    waiting,
    progress: { message: `${reason} (until ${waiting.until})` },
  });
  const data = {
    rolloutId: work.meta.id,
    server: run.name,
    stepIndex: run.stepIndex,
    retries: run.stepRetries ?? 0,
  };
  const jobId = jobIdFor('resume', work.meta.id, run.name, run.attempt, run.stepIndex, data.retries);
  work.job('resume', data, jobId, Math.max(0, until.getTime() - work.now.getTime()));
}

/** Sends a held step once its wait is over; a run that moved on since (retried, skipped, aborted) is left alone. */
export async function resumeStep(
  work: Work,
  run: ServerRun | undefined,
  data: JobData<'resume'>,
  inventory: InventoryStore,
  store: RolloutStore,
): Promise<void> {
  if (run?.state !== 'running' || !run.waiting || run.commandId) return;
  if (run.stepIndex !== data.stepIndex || (run.stepRetries ?? 0) !== data.retries) return;
  await issueStep(work, withoutCommand(run, true), inventory, store);
}

// A restart takes a mail server down: it waits for a maintenance window when the policy has any.
function deferredToWindow(work: Work, run: ServerRun): boolean {
  const windows = work.meta.policy.maintenanceWindows;
  if (windows.length === 0 || insideWindows(windows, work.now)) return false;
  const opening = nextWindowOpening(windows, work.now);
  if (!opening) return false;
  if (!run.waiting)
    work.event(
      SYSTEM,
      'server.restart-deferred',
      `${run.name}: the restart waits for the next maintenance window (${opening.toISOString()})`,
      run.name,
      { until: opening.toISOString() },
    );
  holdStep(work, run, 'the restart waits for the next maintenance window', opening);
  return true;
}

/** Ends a run that succeeded, with the build it ended on. */
export function finishSucceeded(work: Work, run: ServerRun, build: string | undefined): void {
  const rolledBack = run.targetBuild !== undefined;
  const state = rolledBack ? 'rolled-back' : 'succeeded';
  const done: ServerRun = {
    ...run,
    state,
    finishedAt: work.now.toISOString(),
    ...(build ? { toBuild: build } : {}),
  };
  work.setRun(withoutCommand(done, run.autoRollback === true));
  work.event(
    SYSTEM,
    `server.${state}`,
    `${run.name} is ${rolledBack ? 'back ' : ''}on ${build ?? 'the target build'}`,
    run.name,
    { toBuild: build },
  );
}

/** Ends a run that could not go on: skipped for a reason that is no fault (precheck), failed otherwise. */
export function finishUnfit(work: Work, run: ServerRun, unfit: Unfit): void {
  if (run.aheadStaging) stagingEnded(work);
  const error = { code: unfit.code, message: unfit.message };
  const done: ServerRun = { ...run, state: unfit.outcome, finishedAt: work.now.toISOString(), error };
  work.setRun(withoutCommand(done, true));
  // An automatic rollback was already counted as a failure when its verification failed.
  if (unfit.outcome === 'failed' && !run.autoRollback) work.setMeta({ failed: work.meta.failed + 1 });
  work.event(
    SYSTEM,
    `server.${unfit.outcome}`,
    `${run.name} ${unfit.outcome}: ${unfit.code}: ${unfit.message}`,
    run.name,
    { error },
  );
}

// A node this rollout updated reports its new build a moment later; the rollout's own record is already sure.
// Within a rollback, a node "updated" is one already rolled back: the one to hand a clustered mailbox server to.
async function updatedNodes(work: Work, store: RolloutStore, cluster: string): Promise<Set<string>> {
  const done = work.meta.kind === 'rollback' ? 'rolled-back' : 'succeeded';
  const names = work.plan.waves.flatMap((wave) =>
    wave.servers.filter((s) => s.cluster?.toLowerCase() === cluster.toLowerCase()).map((s) => s.name),
  );
  const stored = await store.runs(work.meta.id, names);
  const runs = names.map(
    (name) => work.changedRun(name) ?? stored.find((r) => r.name.toLowerCase() === name.toLowerCase()),
  );
  return new Set(
    runs
      .filter((run) => run?.state === done && !run.restartPending)
      .map((run) => run?.name.toLowerCase() ?? ''),
  );
}

function withoutCommand(run: ServerRun, keepError = false): ServerRun {
  const {
    commandId: _c,
    commandSentAt: _s,
    acked: _a,
    progress: _p,
    confirming: _w,
    waiting: _h,
    aheadStaging: _ah,
    stageBytes: _b,
    error,
    ...rest
  } = run;
  return keepError && error ? { ...rest, error } : rest;
}

/** The steps that undo an install: empty the cluster node, uninstall, restart if asked, verify the old build, re-apply OWA files. */
export function rollbackSteps(run: ServerRun): ServerRun['steps'] {
  return [
    ...(run.cluster ? (['move-cms', 'move-cluster-group'] as const) : []),
    'uninstall',
    'restart',
    'verify',
    ...(run.steps.includes('backup-owa') ? (['restore-owa'] as const) : []),
  ];
}
