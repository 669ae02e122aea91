import { KB959241, type PlanStep, type StepArgs, type StepDetails } from '@exrollout/core';
import { StepFailedError } from '../../errors.js';
import type { StepContext } from '../types.js';
import { createInstantClock, type InstantClock } from './clock.js';
import type { SimulatedCluster } from './cluster.js';
import { SimulatedDriver } from './driver.js';
import type { SimulatedBehaviour, SimulatedHost } from './schema.js';

/** @internal The x64 package of KB 959241, with the hash the simulated hosts are given. */
export const PACKAGE = {
  file: 'Exchange2007-KB959241-x64-EN.msp',
  sha256: 'c0ffee0ddba11a5e0f1ce5ca1ab1edeadbeef00000000000000000000959241a',
} as const;

/** @internal The target build of KB 959241, 8.1.340.1. */
export const RU6 = KB959241.targetBuild;
/** @internal Exchange 2007 SP1 Update Rollup 4. */
export const RU4 = '8.1.311.3';

/** @internal An Internet-facing CAS on SP1 RU4 with customised OWA files, holding the real package. */
export function casOnRu4(behaviour: SimulatedBehaviour = {}): SimulatedHost {
  return {
    server: {
      name: 'SEA-CAS01',
      site: 'HQ-Seattle',
      build: RU4,
      roles: ['ClientAccess'],
      internetFacing: true,
      owaCustomized: true,
    },
    host: { architecture: 'x64', os: 'Windows Server 2003 R2 x64' },
    behaviour: { packages: { [PACKAGE.file]: PACKAGE.sha256 }, ...behaviour },
  };
}

/** @internal One node of the CCR cluster SEA-CLU01 (clustered mailbox server SEA-CMS01), on SP1 RU4. */
export function ccrNode(
  name: string,
  role: 'active' | 'passive',
  behaviour: SimulatedBehaviour = {},
): SimulatedHost {
  const cms = role === 'active' ? { cms: 'SEA-CMS01' } : {};
  return {
    server: {
      name,
      site: 'HQ-Seattle',
      build: RU4,
      roles: ['Mailbox'],
      cluster: { type: 'CCR', name: 'SEA-CLU01', role, ...cms },
    },
    behaviour,
  };
}

/** @internal A driver on an instant clock. */
export function simulate(
  host: SimulatedHost,
  options: { cluster?: SimulatedCluster; onSleep?: (count: number) => void } = {},
): { driver: SimulatedDriver; clock: InstantClock } {
  const clock = createInstantClock(options.onSleep);
  const cluster = options.cluster ? { cluster: options.cluster } : {};
  return { driver: new SimulatedDriver(host, { clock, ...cluster }), clock };
}

/** @internal A step context that records progress and can be aborted. */
export interface RecordingContext extends StepContext {
  readonly controller: AbortController;
  readonly reported: { message: string; percent?: number }[];
}

/** @internal Creates a recording step context. */
export function recordingContext(commandId = 'rollout-1:SEA-CAS01:install'): RecordingContext {
  const controller = new AbortController();
  const reported: { message: string; percent?: number }[] = [];
  return {
    commandId,
    signal: controller.signal,
    controller,
    reported,
    progress: (message, percent) => reported.push(percent === undefined ? { message } : { message, percent }),
  };
}

/** @internal Runs one step with a fresh recording context. */
export function run<Step extends PlanStep>(
  driver: SimulatedDriver,
  step: Step,
  args: StepArgs[Step],
  context: StepContext = recordingContext(`rollout-1:${driver.name}:${step}`),
): Promise<StepDetails> {
  return driver.runStep(step, args, context);
}

/** @internal The StepFailedError a step fails with; fails the test if it succeeds or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<StepFailedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StepFailedError) return error;
    throw error;
  }
  throw new Error('the step succeeded, but it should have failed');
}

/** @internal Precheck arguments as the engine sends them for a server planned from `expectedBuild`. */
export function precheckArgs(expectedBuild = RU4, minFreeMb = 1024): StepArgs['precheck'] {
  return { expectedBuild, targetBuild: RU6, package: { ...PACKAGE }, minFreeMb };
}

/** @internal Install arguments for KB 959241. */
export const INSTALL_ARGS: StepArgs['install'] = { package: { ...PACKAGE }, targetBuild: RU6 };

/** @internal Uninstall arguments for KB 959241 on a server recorded at `expectedBuild` before the install. */
export function uninstallArgs(expectedBuild = RU4): StepArgs['uninstall'] {
  return { productCode: KB959241.productCode, kb: KB959241.kb, expectedBuild };
}
