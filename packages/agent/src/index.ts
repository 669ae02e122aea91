export type { HostDriver, HostSnapshot, StepContext } from './drivers/types.js';
export { AgentError, DriverError, StepFailedError } from './errors.js';
