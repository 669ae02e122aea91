import { OPERATOR_ROLES, type OperatorRole, type RolloutState, roleAllows } from '@exrollout/core';
import type { Rollout, ServerRun } from './types.js';

export { OPERATOR_ROLES as ROLES, roleAllows };

/** An action on a whole rollout, as a button offers it. */
export type RolloutButton = 'start' | 'pause' | 'resume' | 'approve' | 'abort' | 'rollback';

/** An action on one server of a rollout. */
export type ServerButton = 'retry' | 'skip' | 'rollback';

/** The buttons to show, and one sentence for each action a person might look for that is not offered. */
export interface Offers<Button> {
  readonly buttons: Button[];
  readonly notOffered: string[];
}

// The states each action applies to and the role it needs: the server's own rules (engine/actions.ts and
// engine.ts createRollback; docs/rollouts.md, rollback.md). An offer the server would refuse is a bug.
const ROLLOUT_RULES: Record<RolloutButton, { states: readonly RolloutState[]; role: OperatorRole }> = {
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

const CLOSED: readonly RolloutState[] = [
  'completed',
  'completed-with-failures',
  'aborted',
  'rolled-back',
  'rolling-back',
];
const NO_SERVER_ROLLBACK: readonly RolloutState[] = ['created', 'rolled-back', 'rolling-back'];

/** True when the rollout changed the server: its install ran to the end (it succeeded, or failed after it). */
export function wasUpdated(server: Omit<RunFacts, 'fromBuild'>): boolean {
  if (server.state === 'succeeded') return true;
  const install = server.steps.indexOf('install');
  return (
    server.state === 'failed' &&
    install >= 0 &&
    server.step !== null &&
    server.steps.indexOf(server.step) > install
  );
}

type RunFacts = Pick<ServerRun, 'state' | 'steps' | 'step' | 'fromBuild'>;
type RolloutFacts = Pick<Rollout, 'state' | 'kind'> & {
  readonly waves: readonly { readonly servers: readonly RunFacts[] }[];
};

/** The rollout actions that the rollout's state, its servers and the token's role allow, and why rollback is not. */
export function rolloutOffers(rollout: RolloutFacts, role: string): Offers<RolloutButton> {
  const buttons = (Object.keys(ROLLOUT_RULES) as RolloutButton[]).filter((action) => {
    const rule = ROLLOUT_RULES[action];
    return rule.states.includes(rollout.state) && roleAllows(role, rule.role);
  });
  const why = rollbackRefusal(rollout, role);
  return why === undefined
    ? { buttons, notOffered: [] }
    : { buttons: buttons.filter((action) => action !== 'rollback'), notOffered: why ? [why] : [] };
}

// undefined: rollback is offered; '': not offered, and nobody would look for it (a rollback, or one done).
function rollbackRefusal(rollout: RolloutFacts, role: string): string | undefined {
  if (rollout.kind !== 'rollout' || rollout.state === 'rolled-back' || rollout.state === 'created') return '';
  if (rollout.state === 'rolling-back') return 'Rollback: it is being rolled back now.';
  if (!ROLLOUT_RULES.rollback.states.includes(rollout.state))
    return `Rollback: not while it is ${rollout.state}; pause it first.`;
  if (!rollout.waves.some((wave) => wave.servers.some(wasUpdated)))
    return 'Rollback: no server was updated by this rollout, so there is nothing to undo.';
  if (!roleAllows(role, 'approver')) return `Rollback: it needs the approver role (this token is ${role}).`;
  return undefined;
}

/** The actions on one server (in wave `wave`) that the states and the token's role allow, and why rollback is not. */
export function serverOffers(
  rollout: Pick<Rollout, 'state' | 'kind' | 'currentWave'>,
  wave: number,
  server: RunFacts,
  role: string,
): Offers<ServerButton> {
  const buttons: ServerButton[] = [];
  if (!CLOSED.includes(rollout.state) && roleAllows(role, 'operator')) {
    if (['failed', 'skipped'].includes(server.state) && wave === rollout.currentWave) buttons.push('retry');
    if (['pending', 'failed'].includes(server.state)) buttons.push('skip');
  }
  const why = serverRollbackRefusal(rollout, server, role);
  if (why === undefined) buttons.push('rollback');
  return { buttons, notOffered: why ? [why] : [] };
}

function serverRollbackRefusal(
  rollout: Pick<Rollout, 'state' | 'kind'>,
  server: RunFacts,
  role: string,
): string | undefined {
  if (rollout.kind !== 'rollout' || NO_SERVER_ROLLBACK.includes(rollout.state)) return '';
  if (server.state === 'failed' && !wasUpdated(server))
    return `Rollback: it failed at ${server.step ?? 'a step'}, before the install completed: it is still on ${server.fromBuild}, nothing to undo.`;
  if (!wasUpdated(server)) return '';
  if (!roleAllows(role, 'approver')) return `Rollback: it needs the approver role (this token is ${role}).`;
  return undefined;
}
