import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepDetails } from '@exrollout/core';
import { createInstantClock } from '../../src/drivers/simulated/clock.js';
import { SimulatedDriver } from '../../src/drivers/simulated/driver.js';
import type { HostDriver, HostSnapshot } from '../../src/drivers/types.js';
import { PowerShellDriver } from '../../src/drivers/windows/driver.js';
import { StepFailedError } from '../../src/errors.js';
import { createStubHost } from '../stub-exchange/host.js';
import { StubHostRunner, type StubPowerShellPool } from '../stub-exchange/runner.js';
import type { Scenario } from './scenarios.js';

/** What a step ended with, as the server reads it: the outcome, the code, and the details it acts on. */
export interface Outcome {
  readonly step: string;
  readonly outcome: 'ok' | 'failed';
  readonly code?: string;
  readonly details: Partial<StepDetails> & {
    readonly hasLogPath?: boolean;
    readonly hasBackupPath?: boolean;
    readonly hasRestartedAt?: boolean;
  };
}

/** What one driver did with a scenario: the inventory before and after, and each step's outcome. */
export interface Transcript {
  readonly before: HostSnapshot;
  readonly steps: readonly Outcome[];
  readonly after: HostSnapshot;
}

/** Runs a scenario's steps in order through one driver. */
export async function transcript(driver: HostDriver, scenario: Scenario): Promise<Transcript> {
  const before = snapshotOf(await driver.collect());
  const steps: Outcome[] = [];
  for (const [index, entry] of scenario.steps.entries()) {
    const context = {
      commandId: `conformance:${index}:${entry.step}`,
      signal: new AbortController().signal,
      progress: () => undefined,
    };
    try {
      const details = await driver.runStep(entry.step, entry.args as never, context);
      steps.push({ step: entry.step, outcome: 'ok', details: readable(details) });
    } catch (error) {
      if (!(error instanceof StepFailedError)) throw error;
      steps.push({ step: entry.step, outcome: 'failed', code: error.code, details: readable(error.details) });
    }
  }
  return { before, steps, after: snapshotOf(await driver.collect()) };
}

// No interim updates reads as an empty list from the registry and as no list from a description: both say none.
function snapshotOf(snapshot: HostSnapshot): HostSnapshot {
  const { interimUpdates, ...server } = snapshot.server;
  return { ...snapshot, server: interimUpdates?.length ? { ...server, interimUpdates } : server };
}

/** The simulated driver of a scenario's host, on an instant clock. */
export function simulatedDriver(scenario: Scenario): SimulatedDriver {
  return new SimulatedDriver(scenario.host, { clock: createInstantClock() });
}

/** The PowerShell driver of a scenario's host: a fresh stub host, its scripts run by `pool`. */
export function powershellDriver(
  scenario: Scenario,
  pool: StubPowerShellPool,
): { driver: PowerShellDriver; root: string } {
  const root = createStubHost(mkdtempSync(join(tmpdir(), 'exr-stub-')), scenario.host, scenario.stub);
  return { driver: new PowerShellDriver({ runner: new StubHostRunner(pool, root) }), root };
}

// Paths differ by design (each driver names its own log); whether there is one is what the server reads.
function readable(details: StepDetails): Outcome['details'] {
  const { logPath, backupPath, servicesStopped, remedyFiles, rebootRequired, restartedAt, ...rest } = details;
  return {
    ...rest,
    ...(servicesStopped ? { servicesStopped: [...servicesStopped].sort() } : {}),
    ...(remedyFiles ? { remedyFiles: [...remedyFiles].sort() } : {}),
    ...(rebootRequired ? { rebootRequired } : {}),
    ...(logPath ? { hasLogPath: true } : {}),
    ...(backupPath ? { hasBackupPath: true } : {}),
    ...(restartedAt ? { hasRestartedAt: true } : {}),
  };
}
