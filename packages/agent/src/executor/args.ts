import { formatPath, type PlanStep, StepArgs, schemaIssues } from '@exrollout/core';
import type { TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';

/** A step with arguments that passed `StepArgs[step]`: the only input a driver is given. */
export type StepRequest = {
  [Step in PlanStep]: { readonly step: Step; readonly args: StepArgs[Step] };
}[PlanStep];

/** The outcome of checking a command's arguments: the typed request, or a sentence naming the bad field. */
export type ArgsCheck =
  | { readonly ok: true; readonly request: StepRequest }
  | { readonly ok: false; readonly message: string };

const validators = new Map<PlanStep, Validator>();

function validatorFor(step: PlanStep, schema: TSchema): Validator {
  let validator = validators.get(step);
  if (!validator) {
    validator = Compile(schema) as unknown as Validator;
    validators.set(step, validator);
  }
  return validator;
}

/** Checks a command's arguments against `StepArgs[step]` from core (compiled once per step). */
export function checkStepArgs(step: PlanStep, args: unknown): ArgsCheck {
  // The protocol schema already limits `step`; a caller that skipped it must not reach the driver either.
  if (!Object.hasOwn(StepArgs, step)) return { ok: false, message: `unknown step ${JSON.stringify(step)}` };
  const schema: TSchema = StepArgs[step];
  if (validatorFor(step, schema).Check(args)) return { ok: true, request: { step, args } as StepRequest };
  const problems = schemaIssues(schema, args).map(
    (issue) => `${formatPath(issue.path) || 'args'}: ${issue.message}`,
  );
  return {
    ok: false,
    message: `invalid arguments for step ${step}: ${problems.join('; ') || 'they do not match the step schema'}`,
  };
}
