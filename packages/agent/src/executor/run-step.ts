import type { AgentMessage, PlanStep } from '@exrollout/core';
import type { HostDriver } from '../drivers/types.js';
import type { PackageSource } from '../staging/source.js';
import type { StepRequest } from './args.js';
import type { StepResultPayload } from './journal.js';
import { normalisePercent, ProgressThrottle } from './progress.js';
import { type CommandRef, failed, failureOf, progressMessage, succeeded } from './replies.js';

const CHANGES_INVENTORY: ReadonlySet<PlanStep> = new Set<PlanStep>([
  'install',
  'uninstall',
  // verify changes nothing the inventory shows, but the server takes its build only once the inventory shows it.
  'verify',
  'move-cms',
  'move-cluster-group',
  'remove-interim-updates',
  'restore-owa',
]);

/**
 * Whether the server needs a fresh inventory before this step's result: the step's effect shows in it (build,
 * cluster role, interim updates, OWA customisation), or the server checks the step's build against it (verify).
 */
export function changesInventory(step: PlanStep): boolean {
  return CHANGES_INVENTORY.has(step);
}

/** What running one command's step needs from the executor. */
export interface StepRunDeps {
  readonly driver: HostDriver;
  readonly signal: AbortSignal;
  /** Sends a message on the live connection; false when there is none. */
  readonly send: (message: AgentMessage) => boolean;
  /** Whether progress may still go out (false once the result is being reported). */
  readonly current: () => boolean;
  readonly progressIntervalMs: number;
  readonly now: () => number;
  /** The server's package store, for the stage step. */
  readonly packages?: PackageSource;
}

/**
 * Runs one validated step on the driver, sending throttled STEP_PROGRESS on the way, and turns its outcome into
 * a STEP_RESULT payload. Never throws: a failure is a failed result.
 */
export async function runStep(
  ref: CommandRef,
  request: StepRequest,
  deps: StepRunDeps,
): Promise<StepResultPayload> {
  const throttle = new ProgressThrottle(deps.progressIntervalMs, deps.now);
  const progress = (message: string, rawPercent?: number) => {
    const percent = normalisePercent(rawPercent);
    if (deps.current() && throttle.admit(percent)) deps.send(progressMessage(ref, message, percent));
  };
  try {
    const context = {
      commandId: ref.commandId,
      signal: deps.signal,
      progress,
      ...(deps.packages ? { packages: deps.packages } : {}),
    };
    const details = await deps.driver.runStep(request.step, request.args, context);
    return succeeded(ref, details, new Date(deps.now()));
  } catch (error) {
    return failed(ref, failureOf(error), new Date(deps.now()));
  }
}
