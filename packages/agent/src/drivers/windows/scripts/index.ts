import { assertExhaustive } from '@exrollout/core';
import type { StepRequest } from '../args.js';
import type { DriverConfig } from '../options.js';
import { moveClusterGroupScript, moveCmsScript } from './cluster.js';
import { installScript, precheckScript, stageCheckScript } from './install.js';
import { backupOwaScript, restoreOwaScript } from './owa.js';
import { removeInterimUpdatesScript, uninstallScript } from './patches.js';
import { restartScript } from './restart.js';
import { verifyScript } from './verify.js';

export { inventoryScript } from './inventory.js';
export { EXCHANGE_SNAPIN } from './prelude.js';

/** The script of one validated step request; `commandId` labels the cluster move comment and names the restart's marker file. */
export function stepScript(request: StepRequest, config: DriverConfig, commandId: string): string {
  switch (request.step) {
    case 'stage':
      return stageCheckScript(request.args, config);
    case 'precheck':
      return precheckScript(request.args, config);
    case 'backup-owa':
      return backupOwaScript(config);
    case 'move-cms':
      return moveCmsScript(request.args, commandId);
    case 'move-cluster-group':
      return moveClusterGroupScript(request.args);
    case 'remove-interim-updates':
      return removeInterimUpdatesScript(request.args, config);
    case 'install':
      return installScript(request.args, config);
    case 'restart':
      return restartScript(request.args, config, commandId);
    case 'verify':
      return verifyScript(request.args);
    case 'restore-owa':
      return restoreOwaScript(config);
    case 'uninstall':
      return uninstallScript(request.args, config);
    default:
      return assertExhaustive(request);
  }
}
