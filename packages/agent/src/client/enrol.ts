import { ClientError } from './errors.js';
import { type EnrolFetch, httpPost } from './http-post.js';
import { enrolUrl } from './url.js';

/** What a successful enrolment returns: the name the server recorded and the agent's own credential. */
export interface Enrolment {
  readonly name: string;
  readonly credential: string;
}

/** Knobs of an enrolment request; tests pass their own fetch. */
export interface EnrolOptions {
  /** How to POST. @default httpPost (node:http, not the global fetch) */
  readonly fetch?: EnrolFetch;
  /** Give up after this long, in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
}

/** Enrols with a one-time token: `POST {serverUrl}/agent/v1/enrol`. Throws ClientError with a clear message. */
export async function enrol(
  serverUrl: string,
  token: string,
  name: string,
  options: EnrolOptions = {},
): Promise<Enrolment> {
  const url = enrolUrl(serverUrl);
  const doFetch = options.fetch ?? httpPost;
  let response: Awaited<ReturnType<EnrolFetch>>;
  let body: unknown;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token, name }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    body = await response.json().catch(() => undefined);
  } catch (error) {
    throw new ClientError('AGENT_ERR_ENROL_UNREACHABLE', `cannot reach ${url}: ${networkReason(error)}`, {
      cause: error,
    });
  }
  if (response.status === 201) return readEnrolment(body, url);
  throw refusal(response.status, body, name, url);
}

function readEnrolment(body: unknown, url: string): Enrolment {
  const record = (body ?? {}) as Record<string, unknown>;
  if (typeof record.name !== 'string' || typeof record.credential !== 'string' || record.credential === '')
    throw new ClientError(
      'AGENT_ERR_ENROL_FAILED',
      `${url} answered 201 without a name and a credential; is this an exrollout server?`,
    );
  return { name: record.name, credential: record.credential };
}

function refusal(status: number, body: unknown, name: string, url: string): ClientError {
  const said = serverMessage(body);
  const detail = said ? ` (server: ${said})` : '';
  if (status === 401)
    return new ClientError(
      'AGENT_ERR_ENROL_TOKEN_INVALID',
      `the enrolment token was refused: it is unknown, expired or used up; ask an administrator for a new one${detail}`,
    );
  if (status === 409)
    return new ClientError(
      'AGENT_ERR_ENROL_NAME_TAKEN',
      `an agent named ${name} is already enrolled; revoke it on the server first, or enrol under the right name${detail}`,
    );
  if (status === 400)
    return new ClientError('AGENT_ERR_ENROL_REJECTED', `the server rejected the enrolment request${detail}`);
  return new ClientError(
    'AGENT_ERR_ENROL_FAILED',
    `enrolment failed: ${url} answered HTTP ${status}${detail}`,
  );
}

function serverMessage(body: unknown): string | undefined {
  const record = (body ?? {}) as Record<string, unknown>;
  const parts = [record.code, record.message].filter((part) => typeof part === 'string' && part !== '');
  return parts.length > 0 ? parts.join(': ') : undefined;
}

// node:http reports a code (ECONNREFUSED...); fetch, which tests may pass, puts it in the cause.
function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = error instanceof Error ? (error.cause ?? error) : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code === 'ECONNREFUSED' ? 'connection refused' : code;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
