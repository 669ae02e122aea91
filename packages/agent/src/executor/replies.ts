import {
  type AgentMessage,
  formatPath,
  type PlanStep,
  PROTOCOL_VERSION,
  StepDetails,
  schemaIssues,
} from '@exrollout/core';
import { DriverError, StepFailedError } from '../errors.js';
import type { StepResultPayload } from './journal.js';

const MAX_ERROR_MESSAGE = 2000;
const MAX_PROGRESS_MESSAGE = 500;
const ERROR_CODE = /^[A-Z0-9_]{1,64}$/;

/** Why a step failed, as STEP_RESULT carries it, with what the step learnt before it failed. */
export interface Failure {
  readonly code: string;
  readonly message: string;
  readonly details: StepDetails;
}

/** The command a result or a progress report is about. */
export interface CommandRef {
  readonly commandId: string;
  readonly step: PlanStep;
}

/** COMMAND_ACK for a command. */
export function ackMessage(commandId: string): AgentMessage<'COMMAND_ACK'> {
  return { version: PROTOCOL_VERSION, type: 'COMMAND_ACK', payload: { commandId } };
}

/** STEP_PROGRESS for a command; the message is cut to what the protocol accepts. */
export function progressMessage(
  ref: CommandRef,
  message: string,
  percent: number | undefined,
): AgentMessage<'STEP_PROGRESS'> {
  return {
    version: PROTOCOL_VERSION,
    type: 'STEP_PROGRESS',
    payload: {
      commandId: ref.commandId,
      step: ref.step,
      message: cut(message, MAX_PROGRESS_MESSAGE),
      ...(percent === undefined ? {} : { percent }),
    },
  };
}

/** STEP_RESULT carrying a journaled (or fresh) payload unchanged. */
export function resultMessage(payload: StepResultPayload): AgentMessage<'STEP_RESULT'> {
  return { version: PROTOCOL_VERSION, type: 'STEP_RESULT', payload };
}

/** The result of a step that succeeded; details the protocol would refuse turn it into an AGENT_ERROR. */
export function succeeded(ref: CommandRef, details: StepDetails, finishedAt: Date): StepResultPayload {
  const [issue] = schemaIssues(StepDetails, details);
  if (issue)
    return failed(
      ref,
      {
        code: 'AGENT_ERROR',
        message: `the driver reported invalid details (${formatPath(issue.path) || 'details'} ${issue.message}); the step's outcome is unknown`,
        details: {},
      },
      finishedAt,
    );
  return { ...ref, outcome: 'succeeded', details, finishedAt: finishedAt.toISOString() };
}

/** The result of a step that failed (or was refused) with a code and a message. */
export function failed(ref: CommandRef, failure: Failure, finishedAt: Date): StepResultPayload {
  const validDetails = schemaIssues(StepDetails, failure.details).length === 0;
  return {
    ...ref,
    outcome: 'failed',
    error: { code: failure.code, message: cut(failure.message, MAX_ERROR_MESSAGE) },
    details: validDetails ? failure.details : {},
    finishedAt: finishedAt.toISOString(),
  };
}

/**
 * What a thrown error means for the server: a StepFailedError keeps its code and details, a DriverError its
 * code (e.g. AGENT_ERR_DRIVER_TIMEOUT); anything else, or a code the protocol refuses, is AGENT_ERROR.
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof StepFailedError && ERROR_CODE.test(error.code))
    return { code: error.code, message: error.message, details: error.details };
  if (error instanceof DriverError && ERROR_CODE.test(error.code))
    return { code: error.code, message: error.message, details: {} };
  const code = error instanceof StepFailedError || error instanceof DriverError ? ` (${error.code})` : '';
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'AGENT_ERROR', message: `unexpected error${code}: ${message}`, details: {} };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
