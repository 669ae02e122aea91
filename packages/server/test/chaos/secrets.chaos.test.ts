import { Writable } from 'node:stream';
import { silentLogger } from '@exrollout/agent';
import { type Fleet, startFleet } from '@exrollout/fleet-sim';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { createRollout, sim, until } from '../fleet-helpers.js';
import { api, eventually, RawAgent, startTestServer, type TestServer } from '../helpers.js';

// Secrets never in logs or API responses, for issue 8. A server logs at trace, with no redaction, into lines kept
// here, through a whole flow: tokens created, agents enrolled and connected, a rollout through the fleet
// simulator, wrong secrets tried, revocations. Then no secret may appear in any log line, nor in any API response
// but the one that issued it.

const lines: string[] = [];
const responses: { what: string; text: string }[] = [];
const secrets = new Map<string, { kind: string; issuedBy?: number }>();
let server: TestServer | undefined;
let fleet: Fleet | undefined;

afterAll(async () => {
  await fleet?.stop();
  await server?.close();
});

/** A REST call whose answer is kept; a secret it issues is recorded with the answer's index. */
async function call(method: string, path: string, token?: string, body?: unknown) {
  const s = server as TestServer;
  const answer = await api(s, method, path, token, body);
  responses.push({ what: `${method} ${path}`, text: JSON.stringify(answer.body ?? null) });
  for (const field of ['token', 'credential'] as const) {
    const value = answer.body?.[field];
    if (typeof value === 'string')
      secrets.set(value, { kind: `${field} from ${path}`, issuedBy: responses.length - 1 });
  }
  return answer;
}

/** Fetch for the fleet simulator: its enrolments' answers are kept, and the credentials they issue recorded. */
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const text = await response.clone().text();
  responses.push({ what: `fleet ${String(input)}`, text });
  const credential = (text ? (JSON.parse(text) as { credential?: unknown }) : {}).credential;
  if (typeof credential === 'string')
    secrets.set(credential, { kind: 'fleet agent credential', issuedBy: responses.length - 1 });
  return response;
};

it('never logs a secret, nor returns one except in the answer that issues it', async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  server = await startTestServer(
    { heartbeatIntervalMs: 300, offlineAfterMs: 1500 },
    undefined,
    undefined,
    pino({ level: 'trace' }, sink),
  );
  const s = server;
  secrets.set(s.admin, { kind: 'admin token (made on the server host)' });

  const operator = String(
    (await call('POST', '/api/v1/tokens', s.admin, { name: 'ops', role: 'operator' })).body.token,
  );
  const approver = String(
    (await call('POST', '/api/v1/tokens', s.admin, { name: 'cab', role: 'approver' })).body.token,
  );
  const viewer = await call('POST', '/api/v1/tokens', s.admin, { name: 'noc', role: 'viewer' });
  const fleetToken = String(
    (await call('POST', '/api/v1/enrolment-tokens', s.admin, { uses: 3 })).body.token,
  );
  const oneToken = String((await call('POST', '/api/v1/enrolment-tokens', s.admin, {})).body.token);

  fleet = await startFleet({
    serverUrl: s.url,
    scenario: { servers: ['HUB01', 'HUB02', 'HUB03'].map((name) => sim(name, ['HubTransport'])) },
    enrolToken: fleetToken,
    logger: silentLogger,
    reconnect: { baseMs: 50, maxMs: 300 },
    fetch: recordingFetch,
  });
  await fleet.waitConnected(15_000);
  await eventually(async () => (await s.inventory.list()).length === 3, 10_000, 'fleet reported');

  const raw = await call('POST', '/agent/v1/enrol', undefined, { token: oneToken, name: 'UM01' });
  const agent = await RawAgent.connect(s.wsUrl, String(raw.body.credential));
  await agent.hello('UM01');

  const id = await createRollout(
    s,
    { approvalRequired: false, concurrency: 2 },
    { names: ['HUB01', 'HUB02', 'HUB03'] },
  );
  await call('POST', `/api/v1/rollouts/${id}/start`, operator, { reason: 'patch Tuesday' });
  expect((await until(s, id, ['completed', 'halted'], 30_000)).state).toBe('completed');
  await call('POST', `/api/v1/rollouts/${id}/rollback`, approver, { reason: 'test the way back' });

  for (const wrong of ['exo_', 'exa_', 'exe_'].map((kind) => `${kind}${'Z'.repeat(43)}`)) {
    secrets.set(wrong, { kind: 'a wrong secret someone tried' });
    await call('GET', '/api/v1/servers', wrong);
    await expect(RawAgent.connect(s.wsUrl, wrong)).rejects.toThrow('401');
    await call('POST', '/agent/v1/enrol', undefined, { token: wrong, name: 'NOPE01' });
  }
  await call('POST', '/agent/v1/enrol', undefined, { token: oneToken, name: 'UM02' });
  await call('GET', '/api/v1/servers', String(raw.body.credential));
  await expect(RawAgent.connect(s.wsUrl, operator)).rejects.toThrow('401');

  // Secrets put where they do not belong (issue 13, item 14): in a query string, in a path, in a field or a
  // frame that quotes what it refuses. Each is refused, and none may reach the log or come back in an answer.
  const umCredential = String(raw.body.credential);
  await call('GET', `/api/v1/servers?token=${s.admin}`, s.admin);
  await call('GET', `/api/v1/me?access_token=${operator}&x=${umCredential}`);
  await call('GET', `/api/v1/${approver}`, s.admin);
  await call('GET', `/api/v1/servers/${operator}`, s.admin);
  await call('POST', '/agent/v1/enrol', undefined, { token: oneToken, name: umCredential });
  await call('POST', '/api/v1/tokens', s.admin, { name: 'x', role: 'viewer', token: operator });
  await expect(RawAgent.connect(`${s.wsUrl}?credential=${umCredential}`)).rejects.toThrow('401');
  const pasted = await RawAgent.connect(`${s.wsUrl}?token=${s.admin}`, umCredential);
  pasted.send({
    version: 1,
    type: 'HELLO',
    payload: { name: umCredential, agentVersion: operator, driver: 'simulated' },
  });
  expect((await pasted.next('ERROR')).payload.code).toBe('PROTOCOL_INVALID_MESSAGE');
  pasted.close();
  await pasted.closed;

  await call('DELETE', '/api/v1/agents/UM01', s.admin);
  expect((await agent.closed).code).toBe(4004);
  await call('DELETE', `/api/v1/tokens/${String(viewer.body.id)}`, s.admin);
  await call('GET', '/api/v1/me', String(viewer.body.token));
  for (const path of [
    '/api/v1/tokens',
    '/api/v1/agents',
    '/api/v1/servers',
    '/api/v1/rollouts',
    '/api/v1/me',
  ])
    await call('GET', path, s.admin);
  await call('GET', `/api/v1/rollouts/${id}`, s.admin);
  await call('GET', `/api/v1/rollouts/${id}/events`, s.admin);
  await call('GET', '/docs/json', s.admin);
  await fleet.stop();
  fleet = undefined;

  const said = lines.map((line) => String((JSON.parse(line) as { msg?: unknown }).msg));
  for (const message of [
    'enrolment token created',
    'operator token created',
    'agent enrolled',
    'agent connected',
    'agent revoked',
  ])
    expect(said, message).toContain(message);
  expect(secrets.size).toBeGreaterThanOrEqual(12);
  for (const [secret, { kind, issuedBy }] of secrets) {
    expect(
      lines.filter((line) => line.includes(secret)),
      `${kind} in the log`,
    ).toEqual([]);
    const shownIn = responses.flatMap((response, index) => (response.text.includes(secret) ? [index] : []));
    expect(shownIn, `${kind} in API answers`).toEqual(issuedBy === undefined ? [] : [issuedBy]);
  }
  // The secrets' own kind prefixes never reach the log either, whatever the secret.
  expect(lines.filter((line) => /\bex[aoe]_[A-Za-z0-9_-]{20,}/.test(line))).toEqual([]);
  console.log(
    `secrets: ${secrets.size} secrets, ${lines.length} log lines at trace, ${responses.length} API answers: none leaked`,
  );
});
