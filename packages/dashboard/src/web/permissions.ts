import type { Rollout, ServerRun } from './types.js';

/** Operator roles, least to most powerful (as the server ranks them). */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;

/** True when a token of role `held` may do what needs `needed`. */
export function roleAllows(held: string, needed: string): boolean {
  const rank = (role: string) => ROLES.indexOf(role as (typeof ROLES)[number]);
  return rank(held) >= 0 && rank(held) >= rank(needed);
}

/** An action on a whole rollout, as a button offers it. */
export type RolloutButton = 'start' | 'pause' | 'resume' | 'approve' | 'abort' | 'rollback';

/** An action on one server of a rollout. */
export type ServerButton = 'retry' | 'skip' | 'rollback';

// The states each action applies to, and the role it needs: the server's own rules (docs/rollouts.md, rollback.md).
const ROLLOUT_RULES: Record<RolloutButton, { states: readonly string[]; role: string }> = {
  start: { states: ['created'], role: 'operator' },
  pause: { states: ['running', 'awaiting-approval'], role: 'operator' },
  resume: { states: ['paused', 'halted'], role: 'operator' },
  approve: { states: ['awaiting-approval'], role: 'approver' },
  abort: { states: ['created', 'running', 'paused', 'awaiting-approval', 'halted'], role: 'operator' },
  rollback: {
    states: ['halted', 'completed', 'completed-with-failures', 'aborted', 'paused'],
    role: 'approver',
  },
};

const CLOSED = ['completed', 'completed-with-failures', 'aborted', 'rolled-back', 'rolling-back'];

/** The rollout actions that both the rollout's state and the token's role allow. */
export function rolloutButtons(rollout: Pick<Rollout, 'state' | 'kind'>, role: string): RolloutButton[] {
  return (Object.keys(ROLLOUT_RULES) as RolloutButton[]).filter((action) => {
    const rule = ROLLOUT_RULES[action];
    if (action === 'rollback' && rollout.kind !== 'rollout') return false;
    return rule.states.includes(rollout.state) && roleAllows(role, rule.role);
  });
}

/** The actions on one server (in wave `wave`) that the states and the token's role allow. */
export function serverButtons(
  rollout: Pick<Rollout, 'state' | 'kind' | 'currentWave'>,
  wave: number,
  server: Pick<ServerRun, 'state'>,
  role: string,
): ServerButton[] {
  const buttons: ServerButton[] = [];
  const open = !CLOSED.includes(rollout.state);
  if (open && roleAllows(role, 'operator')) {
    if (['failed', 'skipped'].includes(server.state) && wave === rollout.currentWave) buttons.push('retry');
    if (['pending', 'failed'].includes(server.state)) buttons.push('skip');
  }
  const rollbackable = rollout.kind === 'rollout' && rollout.state !== 'rolling-back';
  if (rollbackable && ['succeeded', 'failed'].includes(server.state) && roleAllows(role, 'approver'))
    buttons.push('rollback');
  return buttons;
}
