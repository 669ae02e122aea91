import { type PlanStep, StepArgs, schemaIssues } from '@exrollout/core';
import { StepFailedError } from '../../errors.js';
import { hasControlCharacter } from './literal.js';

/** A step with arguments that passed its schema: the only input a step script is generated from. */
export type StepRequest = {
  [Step in PlanStep]: { readonly step: Step; readonly args: StepArgs[Step] };
}[PlanStep];

/**
 * Checks a step's arguments against `StepArgs[step]` (TypeBox, from core) and refuses control characters in
 * any string, before a script exists. Throws StepFailedError INVALID_ARGUMENTS naming every problem.
 */
export function validateStepArgs(step: PlanStep, args: unknown): StepRequest {
  const schema = Object.hasOwn(StepArgs, step) ? StepArgs[step] : undefined;
  if (schema === undefined) throw invalid(`unknown step ${JSON.stringify(step)}`);
  const problems = schemaIssues(schema, args).map(
    (issue) => `${issue.path.join('.') || 'args'}: ${issue.message}`,
  );
  if (problems.length === 0 && containsControlCharacter(args))
    problems.push('args: a string holds a control character');
  if (problems.length > 0) throw invalid(`invalid arguments for step ${step}: ${problems.join('; ')}`);
  return { step, args } as StepRequest;
}

function containsControlCharacter(value: unknown): boolean {
  if (typeof value === 'string') return hasControlCharacter(value);
  if (Array.isArray(value)) return value.some(containsControlCharacter);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsControlCharacter);
  return false;
}

function invalid(message: string): StepFailedError {
  return new StepFailedError('INVALID_ARGUMENTS', message);
}
