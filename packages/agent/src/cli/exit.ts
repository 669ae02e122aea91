import { AgentError } from '../errors.js';

/** Exit codes of `exrollout-agent`, documented in docs/agent.md. */
export const EXIT = Object.freeze({
  /** Stopped cleanly (SIGINT, SIGTERM), or printed help or version. */
  OK: 0,
  /** Something unexpected: a bug, an unreachable server at enrolment, an unwritable state directory. */
  INTERNAL: 1,
  /** Bad usage or bad input (flags, simulated host file, not enrolled): nothing was done. */
  USAGE: 2,
  /** The server refused or revoked the credential: enrol again with --enrol TOKEN. */
  CREDENTIAL: 3,
});

/** A flag or input the agent cannot run with; exits with code 2. */
export class UsageError extends AgentError {
  readonly code = 'AGENT_ERR_USAGE';
}

const USAGE_CODES: ReadonlySet<string> = new Set([
  'AGENT_ERR_USAGE',
  'AGENT_ERR_SERVER_URL_INVALID',
  'AGENT_ERR_ENROL_TOKEN_INVALID',
  'AGENT_ERR_ENROL_NAME_TAKEN',
  'AGENT_ERR_ENROL_REJECTED',
  'AGENT_ERR_STATE_CORRUPT',
]);
const CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  'AGENT_ERR_CREDENTIAL_REFUSED',
  'AGENT_ERR_CREDENTIAL_REVOKED',
]);

/** The exit code an error maps to: by its stable code, never by its message. */
export function exitCodeFor(error: unknown): number {
  if (!(error instanceof AgentError)) return EXIT.INTERNAL;
  if (CREDENTIAL_CODES.has(error.code)) return EXIT.CREDENTIAL;
  if (USAGE_CODES.has(error.code)) return EXIT.USAGE;
  return EXIT.INTERNAL;
}
