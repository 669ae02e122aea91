import Type, { type Static, type TSchema } from 'typebox';

const strict = { additionalProperties: false } as const;

/** Every BullMQ job the engine runs, with its payload schema; payloads are checked when added and when run. */
export const JOBS = {
  /** Decide what a rollout does next (start servers, advance, complete...). */
  tick: Type.Object({ rolloutId: Type.String() }, strict),
  /** Apply a step result an agent reported. */
  result: Type.Object(
    {
      rolloutId: Type.String(),
      server: Type.String(),
      commandId: Type.String(),
      outcome: Type.Enum(['succeeded', 'failed']),
      error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
      details: Type.Record(Type.String(), Type.Unknown()),
      /** When the step finished, by the agent's clock. */
      finishedAt: Type.Optional(Type.String()),
    },
    strict,
  ),
  /** Check on an outstanding command: redeliver it, time it out, or give up on an agent that stayed away. */
  watch: Type.Object(
    { rolloutId: Type.String(), server: Type.String(), commandId: Type.String(), check: Type.Integer() },
    strict,
  ),
  /** Send a step that waited (for a maintenance window, or before retrying an install msiexec refused with 1618). */
  resume: Type.Object(
    { rolloutId: Type.String(), server: Type.String(), stepIndex: Type.Integer(), retries: Type.Integer() },
    strict,
  ),
  /** Check again whether the agent's inventory confirms the build its verify step reported. */
  confirm: Type.Object({ rolloutId: Type.String(), server: Type.String(), check: Type.Integer() }, strict),
} as const satisfies Record<string, TSchema>;

/** A job name. */
export type JobName = keyof typeof JOBS;
/** The payload of a job. */
export type JobData<Name extends JobName> = Static<(typeof JOBS)[Name]>;

/** The BullMQ queue the engine uses. */
export const ROLLOUT_QUEUE = 'rollouts';

/** A BullMQ job id for a command id (BullMQ ids cannot contain ':'). */
export function jobIdFor(kind: string, ...parts: (string | number)[]): string {
  return [kind, ...parts].join('|').replaceAll(':', '_');
}
