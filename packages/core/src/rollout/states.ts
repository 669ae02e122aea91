/** The states of a rollout. */
export const ROLLOUT_STATES = [
  'created',
  'running',
  'paused',
  'awaiting-approval',
  'halted',
  'completed',
  'completed-with-failures',
  'aborted',
  'rolling-back',
  'rolled-back',
] as const;
/** A rollout's state. */
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** States in which a rollout gets no new work (a rollback may still undo it). */
export const ENDED_ROLLOUT_STATES: readonly RolloutState[] = [
  'completed',
  'completed-with-failures',
  'aborted',
  'rolled-back',
];

/** The states of one server within a rollout. */
export const SERVER_STATES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'rolled-back'] as const;
/** A server's state within a rollout. */
export type ServerState = (typeof SERVER_STATES)[number];

/** The states of a wave. */
export const WAVE_STATES = ['pending', 'running', 'completed', 'skipped'] as const;
/** A wave's state. */
export type WaveState = (typeof WAVE_STATES)[number];

/** True for a server state that will not change without an operator (retry, roll back). */
export function isFinished(state: ServerState): boolean {
  return state !== 'pending' && state !== 'running';
}
