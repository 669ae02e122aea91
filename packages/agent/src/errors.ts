import type { StepDetails } from '@exrollout/core';

/** Base class of the agent's errors; match on `code`. */
export abstract class AgentError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The driver could not talk to its host at all (PowerShell missing, WinRM refused, output unreadable). */
export class DriverError extends AgentError {
  readonly code: string;

  constructor(code: `AGENT_ERR_DRIVER_${string}`, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * A step ran and failed. `code` is reported to the server in STEP_RESULT (e.g. INSTALL_FAILED,
 * SERVICES_NOT_STARTED, PACKAGE_HASH_MISMATCH); `details` carries what was learnt before it failed.
 */
export class StepFailedError extends AgentError {
  readonly code: string;

  constructor(
    code: string,
    message: string,
    readonly details: StepDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }
}
