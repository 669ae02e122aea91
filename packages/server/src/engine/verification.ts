import { canonicalBuild } from '@exrollout/core';
import type { InventoryStore, ServerRecord } from '../stores/inventory-store.js';
import { type JobData, jobIdFor } from './jobs.js';
import type { ServerRun } from './model.js';
import { recordOf } from './reads.js';
import { finishSucceeded, finishUnfit, issueStep, rollbackSteps } from './steps.js';
import type { RolloutStore } from './store.js';
import type { Work } from './work.js';

const SYSTEM = 'exrollout';
const FIRST_CHECK_MS = 1000;
const MAX_CHECK_MS = 10_000;

/** How the agent's own inventory bears on the build a verify step reported. */
export type BuildCheck =
  | { readonly kind: 'confirmed' }
  | { readonly kind: 'contradicted'; readonly message: string }
  | { readonly kind: 'unknown' };

/** What a verify step said, and what its server must be on. */
export interface VerifyClaim {
  /** The build the server must be on: the update's, or for a rollback the one recorded before the install. */
  readonly target: string;
  /** The build the verify step reported, canonical; undefined if it reported none. */
  readonly verified: string | undefined;
  /** When the step finished, by the agent's clock (the clock of its inventory's `collectedAt` too). */
  readonly verifiedAt: string | undefined;
}

/**
 * Judges a verify step's word by the agent's own last inventory report: confirmed when that report shows the
 * target; contradicted when the step reported another build, or a report collected after the step finished shows
 * another; unknown while the last report is older than the step (the report that shows its effect is still to
 * come). Both times are the agent's, so a clock that is off does not matter.
 */
export function checkBuild(claim: VerifyClaim, record: ServerRecord | undefined): BuildCheck {
  const { target, verified, verifiedAt } = claim;
  if (verified !== undefined && verified !== target)
    return { kind: 'contradicted', message: `verify reported ${verified}, not ${target}` };
  const reported = record ? canonicalBuild(record.report.build) : undefined;
  if (reported === target) return { kind: 'confirmed' };
  const collected = record ? Date.parse(record.collectedAt) : Number.NaN;
  if (record && verifiedAt && collected >= Date.parse(verifiedAt))
    return {
      kind: 'contradicted',
      message: `verify reported ${verified ?? 'success'}, but the inventory its agent collected after it (at ${record.collectedAt}) reports ${reported}, not ${target}`,
    };
  return { kind: 'unknown' };
}

/**
 * After an agent said its verify step succeeded (`run` is still on that step): go on only once the agent's own
 * inventory confirms the build; fail the server when it contradicts it; until then, wait for a fresher report.
 */
export async function confirmVerified(
  work: Work,
  run: ServerRun,
  claim: Omit<VerifyClaim, 'target'> & { readonly details: Record<string, unknown> },
  inventory: InventoryStore,
  store: RolloutStore,
): Promise<void> {
  const full = { ...claim, target: targetOf(work, run) };
  const check = checkBuild(full, await recordOf(work, inventory, run.name));
  if (check.kind !== 'unknown') return settle(work, run, check, claim.details, inventory, store);
  const { commandId: _c, commandSentAt: _s, acked: _a, ...rest } = run;
  work.setRun({
    ...rest,
    confirming: {
      since: work.now.toISOString(),
      ...(claim.verifiedAt ? { verifiedAt: claim.verifiedAt } : {}),
    },
    progress: { message: `waiting for an inventory report of ${run.name} that shows ${full.target}` },
  });
  work.event(
    SYSTEM,
    'server.confirming',
    `${run.name}: verify reported ${claim.verified ?? 'success'}; waiting for its agent's inventory to show ${full.target}`,
    run.name,
  );
  work.job(
    'confirm',
    { rolloutId: work.meta.id, server: run.name, check: 0 },
    confirmJobId(work, run, 0),
    FIRST_CHECK_MS,
  );
}

/** The confirm job: decide once the agent's inventory shows the step's effect, or fail when it never does. */
export async function checkConfirming(
  work: Work,
  run: ServerRun | undefined,
  data: JobData<'confirm'>,
  inventory: InventoryStore,
  store: RolloutStore,
): Promise<void> {
  if (run?.state !== 'running' || !run.confirming) return;
  const claim = { target: targetOf(work, run), verified: run.toBuild, verifiedAt: run.confirming.verifiedAt };
  const check = checkBuild(claim, await recordOf(work, inventory, run.name));
  if (check.kind !== 'unknown')
    return settle(work, run, check, run.toBuild ? { build: run.toBuild } : {}, inventory, store);
  const waitedMs = work.now.getTime() - Date.parse(run.confirming.since);
  const limitMs = work.meta.policy.stepTimeoutSeconds.other * 1000;
  if (waitedMs >= limitMs) {
    const error = {
      code: 'BUILD_UNCONFIRMED',
      message: `verify reported ${run.toBuild ?? 'success'}, but no inventory report of its agent showed ${claim.target} within ${limitMs / 1000} s`,
    };
    stepFailed(work, run, error);
    return finishUnfit(work, withoutConfirming(run), { outcome: 'failed', ...error });
  }
  const delay = Math.min(MAX_CHECK_MS, FIRST_CHECK_MS * 2 ** (data.check + 1), limitMs - waitedMs);
  work.job('confirm', { ...data, check: data.check + 1 }, confirmJobId(work, run, data.check + 1), delay);
}

/** A verify step failed, by the agent's word or the server's check: roll back by policy, or fail the server. */
export async function failVerification(
  work: Work,
  run: ServerRun,
  error: { code: string; message: string },
  inventory: InventoryStore,
  store: RolloutStore,
): Promise<void> {
  if (work.meta.policy.autoRollback && run.targetBuild === undefined)
    return startAutoRollback(work, run, error, inventory, store);
  finishUnfit(work, run, { outcome: 'failed', ...error });
}

// The audit trail records the verify step once, as it turned out: succeeded when confirmed, failed otherwise.
async function settle(
  work: Work,
  run: ServerRun,
  check: Exclude<BuildCheck, { kind: 'unknown' }>,
  details: Record<string, unknown>,
  inventory: InventoryStore,
  store: RolloutStore,
): Promise<void> {
  const settled = withoutConfirming(run);
  if (check.kind === 'contradicted') {
    const error = { code: 'BUILD_MISMATCH', message: check.message };
    stepFailed(work, run, error, details);
    return failVerification(work, settled, error, inventory, store);
  }
  work.event(`agent:${run.name}`, 'server.step-succeeded', `${run.name}: verify succeeded`, run.name, {
    step: 'verify',
    details,
  });
  const next: ServerRun = { ...settled, stepIndex: settled.stepIndex + 1 };
  if (next.stepIndex < next.steps.length) await issueStep(work, next, inventory, store);
  else finishSucceeded(work, next, next.toBuild);
}

// Policy autoRollback: a server whose own install failed verification is rolled back at once; it counts as a failure.
async function startAutoRollback(
  work: Work,
  run: ServerRun,
  error: { code: string; message: string },
  inventory: InventoryStore,
  store: RolloutStore,
): Promise<void> {
  work.setMeta({ failed: work.meta.failed + 1 });
  work.event(
    SYSTEM,
    'server.auto-rollback',
    `${run.name}: verification failed (${error.code}); rolling back to ${run.fromBuild} (policy autoRollback)`,
    run.name,
  );
  const next: ServerRun = {
    ...run,
    steps: rollbackSteps(run),
    stepIndex: 0,
    targetBuild: run.fromBuild,
    autoRollback: true,
    error,
  };
  await issueStep(work, next, inventory, store);
}

function stepFailed(
  work: Work,
  run: ServerRun,
  error: { code: string; message: string },
  details?: Record<string, unknown>,
): void {
  work.event(
    SYSTEM,
    'server.step-failed',
    `${run.name}: verify failed: ${error.code}: ${error.message}`,
    run.name,
    {
      step: 'verify',
      error,
      ...(details ? { details } : {}),
    },
  );
}

function targetOf(work: Work, run: ServerRun): string {
  return run.targetBuild ?? work.update.targetBuild;
}

function withoutConfirming(run: ServerRun): ServerRun {
  const { confirming: _c, progress: _p, ...rest } = run;
  return rest;
}

function confirmJobId(work: Work, run: ServerRun, check: number): string {
  const kind = run.targetBuild === undefined ? 'update' : 'undo';
  return jobIdFor('confirm', work.meta.id, run.name, kind, run.attempt, run.stepIndex, check);
}
