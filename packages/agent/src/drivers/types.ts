import type { HostFacts, InventoryServer, PlanStep, StepArgs, StepDetails } from '@exrollout/core';
import type { PackageSource } from '../staging/source.js';

/** What a driver reads off its Exchange server: the inventory record and the host facts around it. */
export interface HostSnapshot {
  readonly server: InventoryServer;
  readonly host: HostFacts;
}

/** What a running step may use: its command id, a signal that aborts it, and a way to report progress. */
export interface StepContext {
  readonly commandId: string;
  readonly signal: AbortSignal;
  progress(message: string, percent?: number): void;
  /** Where the stage step downloads packages from (the server's store), when the agent has a server. */
  readonly packages?: PackageSource;
}

/** Drives one Exchange server: reads what it is, and runs the fixed steps of the catalog on it. */
export interface HostDriver {
  readonly kind: 'powershell' | 'simulated';
  /** Reads the server's inventory record and host facts. Throws DriverError when the host cannot be read. */
  collect(signal?: AbortSignal): Promise<HostSnapshot>;
  /**
   * Runs one step with arguments already validated against `StepArgs[step]`. Resolves with what the step found
   * or changed; throws StepFailedError (with a stable code) when the step failed.
   */
  runStep<Step extends Exclude<PlanStep, never>>(
    step: Step,
    args: StepArgs[Step],
    context: StepContext,
  ): Promise<StepDetails>;
}
