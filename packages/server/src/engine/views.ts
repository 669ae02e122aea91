import {
  ENDED_ROLLOUT_STATES,
  isFinished,
  type RolloutPlan,
  RolloutPolicy,
  summariseFailures,
  WAVE_NAMES,
} from '@exrollout/core';
import Type, { type Static } from 'typebox';
import type { RolloutMeta, ServerRun } from './model.js';

const ErrorView = Type.Object({ code: Type.String(), message: Type.String() });

/** A server within a rollout, as the API shows it. */
export const ServerRunView = Type.Object({
  name: Type.String(),
  state: Type.String(),
  fromBuild: Type.String(),
  toBuild: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  step: Type.Union([Type.String(), Type.Null()], {
    description: 'The step it is on (running), or stopped at (failed).',
  }),
  steps: Type.Array(Type.String()),
  attempt: Type.Integer(),
  cluster: Type.Optional(Type.String()),
  error: Type.Union([ErrorView, Type.Null()]),
  progress: Type.Optional(Type.Object({ message: Type.String(), percent: Type.Optional(Type.Integer()) })),
  staging: Type.Optional(
    Type.Object(
      {
        state: Type.Enum(['staging', 'staged']),
        bytes: Type.Integer({ description: 'Bytes staged so far.' }),
        total: Type.Integer({ description: "The package's size in bytes." }),
        percent: Type.Integer({ minimum: 0, maximum: 100 }),
        resumedFrom: Type.Optional(Type.Integer({ description: 'Bytes kept from a cut download.' })),
        skipped: Type.Optional(Type.Boolean({ description: 'The verified package was already there.' })),
      },
      { description: "The package's staging (a rollout with packages from the store): under way, or done." },
    ),
  ),
});
export type ServerRunView = Static<typeof ServerRunView>;

/** Failed servers of one error code, with the next step. */
export const FailureGroupView = Type.Object({
  code: Type.String(),
  count: Type.Integer(),
  servers: Type.Array(Type.String()),
  next: Type.String({ description: 'What to fix, and how to run the servers again.' }),
});

/** A rollout, as GET /api/v1/rollouts/:id returns it. */
export const RolloutView = Type.Object({
  id: Type.String(),
  update: Type.String(),
  state: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  createdBy: Type.String(),
  currentWave: Type.Integer(),
  policy: RolloutPolicy,
  counts: Type.Record(Type.String(), Type.Integer()),
  waves: Type.Array(
    Type.Object({ name: Type.String(), state: Type.String(), servers: Type.Array(ServerRunView) }),
  ),
  kind: Type.Enum(['rollout', 'rollback']),
  parentId: Type.Optional(Type.String({ description: 'For a rollback: the rollout it undoes.' })),
  rollbackId: Type.Optional(
    Type.String({ description: 'For a rollout: its rollback in progress, or the last one.' }),
  ),
  scope: Type.Optional(Type.String({ description: 'For a rollback: all, wave:<name> or server:<name>.' })),
  failures: Type.Array(FailureGroupView, {
    description:
      'Failed servers (an automatic rollback counts) grouped by error code, the largest group first; empty when none failed.',
  }),
  skipped: Type.Array(Type.Object({ name: Type.String(), code: Type.String(), reason: Type.String() })),
  excluded: Type.Array(Type.Object({ name: Type.String(), code: Type.String(), reason: Type.String() })),
});
export type RolloutView = Static<typeof RolloutView>;

/** Builds the API view of a rollout from its record, its plan and every run. */
export function rolloutView(
  meta: Omit<RolloutMeta, 'plan'>,
  plan: RolloutPlan,
  runs: readonly ServerRun[],
): RolloutView {
  const byName = new Map(runs.map((run) => [run.name.toLowerCase(), run]));
  const counts: Record<string, number> = {
    pending: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    'rolled-back': 0,
  };
  const waves = plan.waves.map((wave, index) => {
    const servers = wave.servers.map((planned) => {
      const run = byName.get(planned.name.toLowerCase());
      const view = runView(run, planned.name, planned.from);
      counts[view.state] = (counts[view.state] ?? 0) + 1;
      return view;
    });
    return { name: wave.name ?? WAVE_NAMES[index] ?? '', state: waveState(meta, index, servers), servers };
  });
  return {
    id: meta.id,
    update: meta.update,
    state: meta.state,
    reason: meta.reason ?? null,
    createdAt: meta.createdAt,
    createdBy: meta.createdBy,
    currentWave: meta.currentWave,
    policy: meta.policy,
    counts,
    waves,
    kind: meta.kind ?? 'rollout',
    ...(meta.parentId ? { parentId: meta.parentId } : {}),
    ...(meta.rollbackId ? { rollbackId: meta.rollbackId } : {}),
    ...(meta.scope ? { scope: meta.scope } : {}),
    failures: failuresOf(meta, runs),
    skipped: plan.skipped,
    excluded: plan.excluded,
  };
}

function failuresOf(meta: Omit<RolloutMeta, 'plan'>, runs: readonly ServerRun[]) {
  const failed = runs.flatMap((run) =>
    run.error && (run.state === 'failed' || (run.state === 'rolled-back' && run.autoRollback))
      ? [{ name: run.name, code: run.error.code }]
      : [],
  );
  return summariseFailures(failed, {
    kind: meta.kind ?? 'rollout',
    ended: ENDED_ROLLOUT_STATES.includes(meta.state),
  });
}

function runView(run: ServerRun | undefined, name: string, from: string): ServerRunView {
  if (!run)
    return {
      name,
      state: 'pending',
      fromBuild: from,
      toBuild: null,
      startedAt: null,
      finishedAt: null,
      step: null,
      steps: [],
      attempt: 1,
      error: null,
    };
  const onStep =
    run.state === 'running' || run.state === 'failed' ? (run.steps[run.stepIndex] ?? null) : null;
  return {
    name: run.name,
    state: run.state,
    fromBuild: run.fromBuild,
    toBuild: run.toBuild ?? null,
    startedAt: run.startedAt ?? null,
    finishedAt: run.finishedAt ?? null,
    step: onStep,
    steps: [...run.steps],
    attempt: run.attempt,
    ...(run.cluster ? { cluster: run.cluster } : {}),
    error: run.error ?? null,
    ...(run.progress && run.state === 'running' ? { progress: run.progress } : {}),
    ...stagingOf(run),
  };
}

function stagingOf(run: ServerRun): { staging?: ServerRunView['staging'] } {
  if (run.staged)
    return {
      staging: {
        state: 'staged',
        bytes: run.staged.bytes,
        total: run.staged.bytes,
        percent: 100,
        resumedFrom: run.staged.resumedFrom,
        skipped: run.staged.skipped,
      },
    };
  if (run.state !== 'running' || run.steps[run.stepIndex] !== 'stage' || run.stageBytes === undefined)
    return {};
  const percent = run.progress?.percent ?? 0;
  const bytes = Math.round((run.stageBytes * percent) / 100);
  return { staging: { state: 'staging', bytes, total: run.stageBytes, percent } };
}

function waveState(
  meta: Omit<RolloutMeta, 'plan'>,
  index: number,
  servers: readonly ServerRunView[],
): string {
  const started = servers.some((server) => server.state !== 'pending');
  const finished = servers.every((server) =>
    isFinished(server.state as ServerRunView['state'] & ServerRun['state']),
  );
  if (servers.length === 0) return 'skipped';
  if (index < meta.currentWave || (finished && started)) return 'completed';
  if (index > meta.currentWave) return 'pending';
  if (meta.state === 'awaiting-approval') return 'awaiting-approval';
  if (started) return 'running';
  return finished ? 'completed' : 'pending';
}

/** One audit event, as the API shows it. */
export const EventView = Type.Object({
  id: Type.String({ description: 'The stream id; pass it as `after` to read the events that follow.' }),
  at: Type.String(),
  actor: Type.String(),
  type: Type.String(),
  message: Type.String(),
  server: Type.Optional(Type.String()),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type EventView = Static<typeof EventView>;

/** A page of a rollout's audit trail, as GET /api/v1/rollouts/:id/events returns it. */
export const EventsPageView = Type.Object({
  events: Type.Array(EventView, { description: 'Oldest first.' }),
  next: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as `after` to read the next page; null when this page reached the end of the trail.',
  }),
  total: Type.Integer({ description: 'Events in the whole trail (every server), dropped ones included.' }),
  dropped: Type.Integer({
    description:
      'The oldest events dropped by the bound on a trail (EXR_AUDIT_EVENTS_MAX); 0 unless it outgrew it.',
  }),
});
export type EventsPageView = Static<typeof EventsPageView>;
