import type { PlannedServer, RolloutPlan, WaveName } from '@exrollout/core';
import { ServerError } from '../errors.js';
import type { ServerRun } from './model.js';
import { rollbackSteps } from './steps.js';

/** What to roll back: the whole rollout, one wave, or one server. */
export type RollbackScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'wave'; readonly wave: WaveName }
  | { readonly kind: 'server'; readonly name: string };

/** The scope as stored and shown: `all`, `wave:<name>`, `server:<name>`. */
export function scopeLabel(scope: RollbackScope): string {
  return scope.kind === 'all' ? 'all' : scope.kind === 'wave' ? `wave:${scope.wave}` : `server:${scope.name}`;
}

/** True when a run changed its server: the install ran to the end (it succeeded, or failed after the install). */
export function wasUpdated(run: ServerRun): boolean {
  if (run.state === 'succeeded') return true;
  const install = run.steps.indexOf('install');
  return run.state === 'failed' && run.targetBuild === undefined && install >= 0 && run.stepIndex > install;
}

/**
 * The plan of a rollback: the waves in reverse order (the rest, internal CAS, Internet-facing CAS), each wave's
 * servers in reverse order (so a cluster's node that became passive goes first and the one that took the
 * clustered mailbox server last), each server's steps undoing its install. Throws when nothing is to be done.
 */
export function planRollback(
  plan: RolloutPlan,
  runs: readonly ServerRun[],
  scope: RollbackScope,
): { plan: RolloutPlan; runs: ServerRun[] } {
  const byName = new Map(runs.map((run) => [run.name.toLowerCase(), run]));
  if (scope.kind === 'server') refuseUnchanged(byName.get(scope.name.toLowerCase()), scope.name);
  const inScope = (run: ServerRun) =>
    wasUpdated(run) &&
    (scope.kind === 'all' ||
      (scope.kind === 'wave'
        ? run.waveName === scope.wave
        : run.name.toLowerCase() === scope.name.toLowerCase()));
  const reversed = [...plan.waves].reverse();
  const childRuns: ServerRun[] = [];
  const waves = reversed.map((wave, index) => {
    const servers: PlannedServer[] = [];
    for (const planned of [...wave.servers].reverse()) {
      const run = byName.get(planned.name.toLowerCase());
      if (!run || !inScope(run)) continue;
      const steps = rollbackSteps(run);
      const current = run.toBuild ?? plan.update.build;
      servers.push({
        name: run.name,
        from: current,
        steps: [...steps],
        ...(run.cluster ? { cluster: run.cluster } : {}),
      });
      childRuns.push({
        name: run.name,
        wave: index,
        waveName: wave.name,
        ...(run.cluster ? { cluster: run.cluster } : {}),
        steps,
        fromBuild: current,
        targetBuild: run.fromBuild,
        state: 'pending',
        stepIndex: 0,
        attempt: 1,
      });
    }
    return { name: wave.name, servers };
  });
  if (childRuns.length === 0)
    throw new ServerError(
      'SRV_ERR_NOTHING_TO_ROLL_BACK',
      409,
      'no server in that scope was updated by this rollout: nothing to roll back',
    );
  return { plan: { update: plan.update, waves, skipped: [], excluded: [] }, runs: childRuns };
}

function refuseUnchanged(run: ServerRun | undefined, name: string): void {
  if (!run) throw new ServerError('SRV_ERR_NOT_FOUND', 404, `${name} is not in this rollout`);
  if (run.state === 'rolled-back')
    throw new ServerError(
      'SRV_ERR_NOTHING_TO_ROLL_BACK',
      409,
      `${run.name} was already rolled back: nothing to roll back`,
    );
  if (!wasUpdated(run))
    throw new ServerError(
      'SRV_ERR_NOTHING_TO_ROLL_BACK',
      409,
      `${run.name} was never updated by this rollout (it is ${run.state}): nothing to roll back`,
    );
}
