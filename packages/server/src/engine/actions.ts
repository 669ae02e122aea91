import { ENDED_ROLLOUT_STATES, type RolloutState } from '@exrollout/core';
import { ServerError } from '../errors.js';
import type { ServerRun } from './model.js';
import type { Work } from './work.js';

/** What an operator may do to a rollout. */
export const ROLLOUT_ACTIONS = ['start', 'pause', 'resume', 'approve', 'abort'] as const;
/** An operator action on a rollout. */
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

/** What an operator may do to one server of a rollout. */
export const SERVER_ACTIONS = ['retry', 'skip'] as const;
/** An operator action on one server. */
export type ServerAction = (typeof SERVER_ACTIONS)[number];

const ALLOWED: Record<RolloutAction, readonly RolloutState[]> = {
  start: ['created'],
  pause: ['running', 'awaiting-approval'],
  resume: ['paused', 'halted'],
  approve: ['awaiting-approval'],
  abort: ['created', 'running', 'paused', 'awaiting-approval', 'halted'],
};

/** Applies an operator action, or refuses it (409) when it makes no sense in the rollout's state. */
export function applyAction(work: Work, action: RolloutAction, actor: string, reason?: string): void {
  const from = work.meta.state;
  if (!ALLOWED[action].includes(from))
    throw new ServerError(
      'SRV_ERR_ROLLOUT_STATE',
      409,
      `cannot ${action} a rollout that is ${from}; ${action} applies to ${ALLOWED[action].join(', ')}`,
    );
  const why = reason ? `: ${reason}` : '';
  switch (action) {
    case 'start':
    case 'resume':
      work.setMeta({ state: 'running', reason: '' });
      break;
    case 'pause':
      work.setMeta({ state: 'paused', reason: reason ?? `paused by ${actor}` });
      break;
    case 'approve':
      work.setMeta({ state: 'running', approvedWave: work.meta.currentWave, reason: '' });
      break;
    case 'abort':
      work.setMeta({ state: 'aborted', reason: reason ?? `aborted by ${actor}` });
      break;
  }
  const wave = work.plan.waves[work.meta.currentWave]?.name;
  const subject =
    action === 'approve'
      ? `wave ${work.meta.currentWave + 1} (${wave}) approved`
      : `${action}${action.endsWith('e') ? 'd' : 'ed'}`;
  work.event(
    actor,
    action === 'approve' ? 'wave.approved' : `rollout.${action === 'start' ? 'started' : subject}`,
    `${subject}${why}`,
    undefined,
    reason ? { reason } : undefined,
  );
}

/** Retries a failed or skipped server of the current wave, or skips a pending or failed one. */
export function applyServerAction(
  work: Work,
  run: ServerRun | undefined,
  action: ServerAction,
  actor: string,
  reason?: string,
): void {
  if (!run) throw new ServerError('SRV_ERR_NOT_FOUND', 404, 'no such server in this rollout');
  if ([...ENDED_ROLLOUT_STATES, 'rolling-back'].includes(work.meta.state))
    throw new ServerError(
      'SRV_ERR_ROLLOUT_STATE',
      409,
      `cannot ${action} a server of a rollout that is ${work.meta.state}`,
    );
  const why = reason ? `: ${reason}` : '';
  if (action === 'retry') {
    if (run.state !== 'failed' && run.state !== 'skipped')
      throw new ServerError(
        'SRV_ERR_ROLLOUT_STATE',
        409,
        `cannot retry ${run.name}: it is ${run.state}; only failed or skipped servers are retried`,
      );
    if (run.wave !== work.meta.currentWave)
      throw new ServerError(
        'SRV_ERR_ROLLOUT_STATE',
        409,
        `cannot retry ${run.name}: its wave (${run.waveName}) is not the current one`,
      );
    const { error: _e, finishedAt: _f, startedAt: _s, toBuild: _t, ...rest } = run;
    if (run.state === 'failed') work.setMeta({ failed: Math.max(0, work.meta.failed - 1) });
    work.setRun({ ...rest, state: 'pending', stepIndex: 0, attempt: run.attempt + 1 });
    work.event(
      actor,
      'server.retried',
      `${run.name} will be retried (attempt ${run.attempt + 1})${why}`,
      run.name,
    );
    return;
  }
  if (run.state !== 'pending' && run.state !== 'failed')
    throw new ServerError(
      'SRV_ERR_ROLLOUT_STATE',
      409,
      `cannot skip ${run.name}: it is ${run.state}; only pending or failed servers are skipped`,
    );
  if (run.state === 'failed') work.setMeta({ failed: Math.max(0, work.meta.failed - 1) });
  work.setRun({
    ...run,
    state: 'skipped',
    finishedAt: work.now.toISOString(),
    error: { code: 'SKIPPED_BY_OPERATOR', message: `skipped by ${actor}${why}` },
  });
  work.event(actor, 'server.skipped', `${run.name} skipped by ${actor}${why}`, run.name);
}
