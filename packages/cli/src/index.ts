export { ApiClient, type ConnectionOptions, clientFor, DEFAULT_SERVER } from './api/client.js';
export type { CliContext, CliEnvironment } from './context.js';
export {
  API_EXIT,
  ApiFailedError,
  ApiRefusedError,
  CliError,
  EXIT,
  InputFileError,
  InputJsonError,
  ProcessNotFoundError,
  RolloutStoppedError,
  ServerUnreachableError,
  ServerUrlError,
} from './errors.js';
export { type Output, readJsonFile, writeJson } from './io.js';
export { renderPlan } from './render/plan.js';
export { table } from './render/table.js';
export { runCli } from './run.js';
