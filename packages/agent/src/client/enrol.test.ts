import { describe, expect, it } from 'vitest';
import { enrol } from './enrol.js';
import { ClientError } from './errors.js';

type Call = { url: string; init: RequestInit | undefined };

function answering(status: number, body: unknown, calls: Call[] = []): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

const failing = (error: unknown): typeof fetch => (async () => Promise.reject(error)) as typeof fetch;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.catch((caught: unknown) => caught);
  if (!(error instanceof ClientError)) throw new Error(`expected a ClientError, got ${String(error)}`);
  return `${error.code}: ${error.message}`;
}

describe('enrol', () => {
  it('posts the token and name to /agent/v1/enrol and returns the credential', async () => {
    const calls: Call[] = [];
    const fetch = answering(201, { name: 'SEA-CAS01', credential: 's3cret' }, calls);
    const result = await enrol('https://exr.contoso.com:8443/', 'tok', 'SEA-CAS01', { fetch });

    expect(result).toEqual({ name: 'SEA-CAS01', credential: 's3cret' });
    expect(calls[0]?.url).toBe('https://exr.contoso.com:8443/agent/v1/enrol');
    expect(calls[0]?.init?.method).toBe('POST');
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({ token: 'tok', name: 'SEA-CAS01' });
  });

  it('explains a refused token, a taken name and a rejected body', async () => {
    const body = (code: string) => ({ code, message: 'no' });
    expect(
      await codeOf(
        enrol('http://h', 't', 'N', { fetch: answering(401, body('SRV_ERR_ENROL_TOKEN_INVALID')) }),
      ),
    ).toMatch(
      /^AGENT_ERR_ENROL_TOKEN_INVALID: the enrolment token was refused: it is unknown, expired or used up/,
    );
    expect(
      await codeOf(enrol('http://h', 't', 'N', { fetch: answering(409, body('SRV_ERR_ENROL_NAME_TAKEN')) })),
    ).toMatch(
      /^AGENT_ERR_ENROL_NAME_TAKEN: an agent named N is already enrolled.*\(server: SRV_ERR_ENROL_NAME_TAKEN: no\)$/,
    );
    expect(
      await codeOf(enrol('http://h', 't', 'N', { fetch: answering(400, { message: 'name: bad' }) })),
    ).toBe('AGENT_ERR_ENROL_REJECTED: the server rejected the enrolment request (server: name: bad)');
    expect(await codeOf(enrol('http://h', 't', 'N', { fetch: answering(503, 'down') }))).toBe(
      'AGENT_ERR_ENROL_FAILED: enrolment failed: http://h/agent/v1/enrol answered HTTP 503',
    );
  });

  it('says when the server cannot be reached, with the network reason', async () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(await codeOf(enrol('http://h:1', 't', 'N', { fetch: failing(refused) }))).toBe(
      'AGENT_ERR_ENROL_UNREACHABLE: cannot reach http://h:1/agent/v1/enrol: connection refused',
    );
  });

  it('refuses a 201 without a credential, and a URL that is not http(s)', async () => {
    expect(await codeOf(enrol('http://h', 't', 'N', { fetch: answering(201, { name: 'N' }) }))).toMatch(
      /^AGENT_ERR_ENROL_FAILED: .*without a name and a credential/,
    );
    expect(await codeOf(enrol('ftp://h', 't', 'N', { fetch: answering(201, {}) }))).toMatch(
      /^AGENT_ERR_SERVER_URL_INVALID: .*must start with http:\/\/ or https:\/\//,
    );
  });
});
