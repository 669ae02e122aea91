import { API_EXIT, type CliError, EXIT, RolloutFailuresError, RolloutStoppedError } from '../errors.js';

/** What an outcome is judged by. */
export interface Outcome {
  readonly id: string;
  readonly state: string;
  readonly reason: string | null;
  readonly currentWave: number;
}

/** States a rollout ends in by itself, or stops in until an operator acts; a gate only if `stopAtGate`. */
export function stopsWatch(state: string, stopAtGate: boolean): boolean {
  return (
    ['completed', 'completed-with-failures', 'rolled-back', 'aborted', 'halted'].includes(state) ||
    (stopAtGate && state === 'awaiting-approval')
  );
}

/** The exit code of a rollout that ended or stopped in `state`: 0, 5 (completed with failures) or 3. */
export function rolloutExitCode(state: string): number {
  if (state === 'completed' || state === 'rolled-back') return EXIT.OK;
  return state === 'completed-with-failures' ? API_EXIT.FAILURES : API_EXIT.REFUSED;
}

/** The error a watch ends with for a rollout that did not end well; undefined for one that did. */
export function outcomeError(rollout: Outcome): CliError | undefined {
  const code = rolloutExitCode(rollout.state);
  if (code === EXIT.OK) return undefined;
  if (code === API_EXIT.FAILURES) return new RolloutFailuresError(rollout.id, rollout.reason);
  const why =
    rollout.state === 'awaiting-approval'
      ? (rollout.reason ?? `wave ${rollout.currentWave + 1} waits for an approver`)
      : rollout.reason;
  return new RolloutStoppedError(rollout.id, rollout.state, why);
}
