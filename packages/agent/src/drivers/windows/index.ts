export { type StepRequest, validateStepArgs } from './args.js';
export {
  isPowerShellStepErrorCode,
  POWERSHELL_DRIVER_ERRORS,
  POWERSHELL_STEP_ERRORS,
  type PowerShellDriverErrorCode,
  type PowerShellStepErrorCode,
} from './codes.js';
export { createPowerShellRunner, POWERSHELL_EXECUTABLE_ENV, type RunnerChoice } from './create.js';
export { PowerShellDriver } from './driver.js';
export { type ExrOutput, escapeExrValue, parseExrOutput } from './exr-format.js';
export { LocalPowerShellRunner, type LocalRunnerOptions, POWERSHELL_ARGS } from './local-runner.js';
export {
  DEFAULT_TIMEOUTS_MS,
  type DriverLogger,
  type PowerShellDriverOptions,
  type ScriptName,
} from './options.js';
export {
  REMOTE_ENV,
  RemotePowerShellRunner,
  type RemoteTarget,
  remoteTargetFromEnv,
  wrapRemote,
} from './remote-runner.js';
export type { PowerShellRunner, RunOptions, RunResult } from './runner.js';
export { inventoryScript, stepScript } from './scripts/index.js';
