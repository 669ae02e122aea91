import { AgentError } from '../errors.js';

/**
 * The codes the executor itself puts on a failed STEP_RESULT, besides the drivers' step codes:
 *
 * | code | meaning |
 * |---|---|
 * | INVALID_ARGUMENTS | the arguments broke `StepArgs[step]`; nothing ran (shared with the drivers) |
 * | AGENT_BUSY | another command is running on this agent; this one did not start |
 * | AGENT_ERROR | the step threw something unexpected, or the journal could not be written before it ran |
 */
export const EXECUTOR_ERROR_CODES = ['INVALID_ARGUMENTS', 'AGENT_BUSY', 'AGENT_ERROR'] as const;

/** One of the codes the executor reports on its own account. */
export type ExecutorErrorCode = (typeof EXECUTOR_ERROR_CODES)[number];

/** Codes of the journal's errors. */
export type JournalErrorCode = 'AGENT_ERR_JOURNAL_READ' | 'AGENT_ERR_JOURNAL_WRITE';

/** The command journal could not be read or written; match on `code`. */
export class JournalError extends AgentError {
  readonly code: JournalErrorCode;

  constructor(code: JournalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The message of anything thrown, for logs and results. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
