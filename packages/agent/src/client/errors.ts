import { AgentError } from '../errors.js';

/** Codes of the errors raised while enrolling, storing the credential or talking to the gateway. */
export type ClientErrorCode =
  | 'AGENT_ERR_SERVER_URL_INVALID'
  | 'AGENT_ERR_ENROL_TOKEN_INVALID'
  | 'AGENT_ERR_ENROL_NAME_TAKEN'
  | 'AGENT_ERR_ENROL_REJECTED'
  | 'AGENT_ERR_ENROL_UNREACHABLE'
  | 'AGENT_ERR_ENROL_FAILED'
  | 'AGENT_ERR_STATE_READ'
  | 'AGENT_ERR_STATE_CORRUPT'
  | 'AGENT_ERR_STATE_WRITE'
  | 'AGENT_ERR_CREDENTIAL_REFUSED'
  | 'AGENT_ERR_CREDENTIAL_REVOKED';

/** An error of the agent runtime (enrolment, credential store, gateway); match on `code`. */
export class ClientError extends AgentError {
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when the error means the credential no longer opens the gateway: re-enrolment is the only way on. */
export function isCredentialError(error: unknown): error is ClientError {
  return (
    error instanceof ClientError &&
    (error.code === 'AGENT_ERR_CREDENTIAL_REFUSED' || error.code === 'AGENT_ERR_CREDENTIAL_REVOKED')
  );
}
