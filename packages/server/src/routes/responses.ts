import Type, { type TSchema } from 'typebox';

const IssueView = Type.Object({
  index: Type.Optional(Type.Integer()),
  server: Type.Optional(Type.String()),
  field: Type.String(),
  message: Type.String(),
});

const apiError = (description: string) =>
  Type.Object(
    {
      code: Type.String({ description: 'Stable error code (docs/errors.md).' }),
      message: Type.String(),
      issues: Type.Optional(
        Type.Array(IssueView, { description: 'CORE_ERR_INVENTORY_INVALID: every problem.' }),
      ),
    },
    { description },
  );

const DESCRIPTIONS = {
  400: 'The request breaks its schema or a rule (SRV_ERR_VALIDATION, FST_ERR_CTP_*, CORE_ERR_*); the message names the field.',
  401: 'No operator token, or an unknown or revoked one (SRV_ERR_AUTH_REQUIRED).',
  403: "The token's role may not do this (SRV_ERR_AUTH_FORBIDDEN).",
  404: 'No such rollout, server, agent or token (SRV_ERR_NOT_FOUND).',
  409: 'The action makes no sense in this state (SRV_ERR_ROLLOUT_STATE, SRV_ERR_ROLLOUT_OVERLAP, SRV_ERR_NOTHING_TO_ROLL_BACK).',
  413: 'The body is over 1 MiB (FST_ERR_CTP_BODY_TOO_LARGE).',
  415: 'The body is not JSON (FST_ERR_CTP_INVALID_MEDIA_TYPE).',
  416: 'The range starts past the end of the package (SRV_ERR_PACKAGE_RANGE).',
  429: 'Too many failed authentications from this address (SRV_ERR_AUTH_RATE_LIMITED); Retry-After says for how many seconds.',
  500: 'Something unexpected (SRV_ERR_INTERNAL); the details are in the server log.',
  503: 'The rollout stayed busy, or a change to it did not finish in time (SRV_ERR_ROLLOUT_BUSY, SRV_ERR_WORK_TIMEOUT); try again.',
} as const;

/** An HTTP status the API answers with `{ code, message }`. */
export type ErrorStatus = keyof typeof DESCRIPTIONS;

/** The error answers of a route, by status: `statuses`, each with the shared error schema and its description. */
export function errorResponses(...statuses: ErrorStatus[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, apiError(DESCRIPTIONS[status])]));
}

/** One error answer with a description of its own, for a route where the status means something else. */
export function errorResponse(status: ErrorStatus, description: string): Record<number, TSchema> {
  return { [status]: apiError(description) };
}

/** What a route taking a JSON body may answer besides its own: 400, 413, 415. */
export const BODY_ERRORS: readonly ErrorStatus[] = [400, 413, 415];

/** The error answers of a route any operator token may call (viewer): 401, 429, 500 and `more`. */
export function viewerErrors(...more: ErrorStatus[]): Record<number, TSchema> {
  return errorResponses(...new Set<ErrorStatus>([401, 429, 500, ...more]));
}

/** The error answers of a route that needs more than the viewer role: 401, 403, 429, 500 and `more`. */
export function roleErrors(...more: ErrorStatus[]): Record<number, TSchema> {
  return errorResponses(...new Set<ErrorStatus>([401, 403, 429, 500, ...more]));
}
