import type { PlanStep, StepArgs, StepDetails } from '@exrollout/core';
import type { StepRun } from '../run.js';
import { moveClusterGroup, moveCms } from './cluster.js';
import { install } from './install.js';
import { removeInterimUpdates } from './interim.js';
import { backupOwa, restoreOwa } from './owa.js';
import { precheck } from './precheck.js';
import { restart } from './restart.js';
import { stage } from './stage.js';
import { uninstall } from './uninstall.js';
import { verify } from './verify.js';

/** @internal How the simulated host runs each step. */
export type StepHandlers = {
  readonly [Step in PlanStep]: (run: StepRun, args: StepArgs[Step]) => Promise<StepDetails>;
};

/** @internal The simulated implementation of every step of the catalog. */
export const STEP_HANDLERS: StepHandlers = {
  stage,
  precheck,
  'backup-owa': backupOwa,
  'move-cms': moveCms,
  'move-cluster-group': moveClusterGroup,
  'remove-interim-updates': removeInterimUpdates,
  install,
  restart,
  verify,
  'restore-owa': restoreOwa,
  uninstall,
};
