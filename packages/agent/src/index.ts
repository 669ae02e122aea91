export {
  AgentClient,
  type AgentClientEvents,
  type AgentClientOptions,
  type AgentClientState,
  CLOSE_CODES,
  type DisconnectInfo,
} from './client/agent-client.js';
export { Backoff, type BackoffOptions, backoffCeiling, DEFAULT_BACKOFF } from './client/backoff.js';
export {
  type CancelPayload,
  type CommandChannel,
  type CommandHandler,
  type CommandPayload,
  LoggingCommandHandler,
} from './client/command-handler.js';
export {
  CREDENTIAL_FILE,
  credentialPath,
  DEFAULT_STATE_DIR,
  parseCredential,
  readCredential,
  StoredCredential,
  writeCredential,
} from './client/credentials.js';
export { type Enrolment, type EnrolOptions, enrol } from './client/enrol.js';
export { ClientError, type ClientErrorCode, isCredentialError } from './client/errors.js';
export { type AgentLogger, type LogFn, silentLogger } from './client/logger.js';
export type { HelloPayload, WelcomePayload } from './client/session.js';
export { enrolUrl, gatewayUrl, normalizeServerUrl } from './client/url.js';
export { AGENT_VERSION } from './client/version.js';
export { type ChangeNotifier, canNotifyChanges, subscribeToChanges } from './client/watch.js';
export {
  createInstantClock,
  type InstantClock,
  realClock,
  type SimulatedClock,
} from './drivers/simulated/clock.js';
export { SimulatedCluster } from './drivers/simulated/cluster.js';
export { SimulatedDriver, type SimulatedDriverOptions } from './drivers/simulated/driver.js';
export type {
  HostInterruption,
  SimulatedClusterEvents,
  SimulatedEventSource,
  SimulatedHostEvents,
} from './drivers/simulated/events.js';
export { checkSimulatedHost, parseSimulatedHost, SimulatedHostError } from './drivers/simulated/parse.js';
export {
  BEHAVIOUR_DEFAULTS,
  SimulatedBehaviour,
  SimulatedFailure,
  SimulatedHost,
} from './drivers/simulated/schema.js';
export type { InstalledUpdate, SimulatedState } from './drivers/simulated/state.js';
export { isStepErrorCode, STEP_ERROR_CODES, type StepErrorCode } from './drivers/step-errors.js';
export type { HostDriver, HostSnapshot, StepContext } from './drivers/types.js';
export {
  createPowerShellRunner,
  type DriverLogger,
  isPowerShellStepErrorCode,
  LocalPowerShellRunner,
  POWERSHELL_DRIVER_ERRORS,
  POWERSHELL_STEP_ERRORS,
  PowerShellDriver,
  type PowerShellDriverOptions,
  type PowerShellRunner,
  type PowerShellStepErrorCode,
  REMOTE_ENV,
  RemotePowerShellRunner,
  type RemoteTarget,
  type RunnerChoice,
  type RunOptions,
  type RunResult,
  remoteTargetFromEnv,
} from './drivers/windows/index.js';
export { AgentError, DriverError, StepFailedError } from './errors.js';
export {
  EXECUTOR_ERROR_CODES,
  type ExecutorErrorCode,
  JournalError,
  type JournalErrorCode,
} from './executor/errors.js';
export { StepExecutor, type StepExecutorOptions } from './executor/executor.js';
export {
  entryFileName,
  FileJournal,
  type FileJournalOptions,
  JOURNAL_DIR,
  journalDir,
} from './executor/file-journal.js';
export {
  type CommandJournal,
  DEFAULT_JOURNAL_LIMIT,
  DoneEntry,
  JOURNAL_VERSION,
  JournalEntry,
  StartedEntry,
  StepResultPayload,
} from './executor/journal.js';
export { MemoryJournal } from './executor/memory-journal.js';
export {
  type DownloadRequest,
  type DownloadResult,
  downloadPackage,
  hashFile,
} from './staging/download.js';
export {
  type PackageDownload,
  type PackageSource,
  type RetryOptions,
  serverPackageSource,
} from './staging/source.js';
