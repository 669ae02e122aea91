import type { AgentMessage, InventoryServer } from '@exrollout/core';
import type { Fleet } from '@exrollout/fleet-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/auth/roles.js';
import { createRollout, events, fleetFor, rollout, SHA, sim, until } from '../fleet-helpers.js';
import { api, enrolAgent, eventually, RawAgent, startTestServer, type TestServer } from '../helpers.js';
import { matrixRequests, ROUTE_ROLES } from './auth-matrix.js';
import { snapshotChanges, snapshotRedis } from './redis-snapshot.js';
import { appRoutes, rawRequest } from './rest-routes.js';

// Security, for issue 8: who may do what, with which secret, and that no one speaks for a server it is not.
// Rate limiting of failed authentications is in brute-force.chaos.test.ts, secrets in logs in secrets.chaos.test.ts.
// gateway.int.test.ts already covers: a handshake without a credential, with a forged one or an admin token; a
// reused and an expired enrolment token; HELLO or INVENTORY naming another server; a viewer creating an
// enrolment token. This file extends each to every route, role and secret kind.

// Failure counters, per address (authfail:) and per credential from an address (authfail-cred:).
const mayChange = (key: string) => key.startsWith('authfail') || key === 'bull:rollouts:stalled-check';
const inventory = (server: InventoryServer): AgentMessage<'INVENTORY'> => ({
  version: 1,
  type: 'INVENTORY',
  payload: { server, host: { architecture: 'x64' }, collectedAt: new Date().toISOString() },
});
const hub = (name: string): InventoryServer => ({
  name,
  site: 'HQ',
  build: '8.1.311.3',
  roles: ['HubTransport'],
});

let server: TestServer | undefined;
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await server?.close();
  server = undefined;
});

async function secretsOfEveryKind(s: TestServer) {
  const tokens = Object.fromEntries(
    await Promise.all(
      ROLES.map(async (role) => [role, (await s.tokens.createOperatorToken(`t-${role}`, role)).token]),
    ),
  ) as Record<(typeof ROLES)[number], string>;
  const revoked = await s.tokens.createOperatorToken('gone', 'admin');
  await s.tokens.revokeOperatorToken(revoked.id);
  const revokedAgent = await enrolAgent(s, 'GONE01');
  await s.tokens.revokeAgent('GONE01');
  const enrolment = String((await api(s, 'POST', '/api/v1/enrolment-tokens', s.admin, {})).body.token);
  return { tokens, revoked: revoked.token, revokedAgent, enrolment };
}

describe('who may call what', () => {
  it('lists a least role for every operator route the app serves', async () => {
    server = await startTestServer();
    const served = appRoutes(server.app)
      .filter((route) => route.path.startsWith('/api/v1/') && route.method !== 'HEAD')
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    expect(served).toEqual(Object.keys(ROUTE_ROLES).sort());
  });

  it('refuses every route without a token, with a wrong, revoked, agent or enrolment secret, and below its role; writes nothing', async () => {
    server = await startTestServer({ authFailureLimit: 1_000_000 });
    const s = server;
    const secrets = await secretsOfEveryKind(s);
    const agentCredential = await enrolAgent(s, 'HUB01');
    const agent = await RawAgent.connect(s.wsUrl, agentCredential);
    await agent.hello('HUB01');
    agent.send(inventory(hub('HUB01')));
    await eventually(async () => (await s.inventory.get('HUB01')) !== undefined);
    agent.close();
    await eventually(async () => (await s.inventory.get('HUB01'))?.online === false);
    const rolloutId = await createRollout(s, {}, { names: ['HUB01'] });
    const viewerId = (await s.tokens.listOperatorTokens()).find((t) => t.role === 'viewer')?.id ?? '';
    const requests = matrixRequests({ rolloutId, server: 'HUB01', agent: 'HUB01', tokenId: viewerId });
    const unauthenticated: [string, string | undefined][] = [
      ['no token', undefined],
      ['a wrong token', `exo_${'A'.repeat(43)}`],
      ['a revoked token', secrets.revoked],
      ['an agent credential', agentCredential],
      ['a revoked agent credential', secrets.revokedAgent],
      ['an enrolment token', secrets.enrolment],
      ['a malformed header', 'Basic YWRtaW46YWRtaW4='],
    ];
    const before = await snapshotRedis(s.redis, s.prefix);
    for (const request of requests) {
      for (const [what, secret] of unauthenticated) {
        const response = await api(s, request.method, request.path, secret, request.body);
        expect(
          [response.status, response.body.code],
          `${request.method} ${request.path} with ${what}`,
        ).toEqual([401, 'SRV_ERR_AUTH_REQUIRED']);
      }
      for (const role of ROLES.slice(0, ROLES.indexOf(request.role))) {
        const response = await api(s, request.method, request.path, secrets.tokens[role], request.body);
        expect([response.status, response.body.code], `${request.method} ${request.path} as ${role}`).toEqual(
          [403, 'SRV_ERR_AUTH_FORBIDDEN'],
        );
      }
    }
    expect(snapshotChanges(before, await snapshotRedis(s.redis, s.prefix), mayChange)).toEqual([]);
    expect((await rollout(s, rolloutId)).state).toBe('created');
    for (const request of requests) {
      const response = await api(s, request.method, request.path, secrets.tokens[request.role], request.body);
      expect(response.status, `${request.method} ${request.path} as ${request.role}`).not.toBeOneOf([
        401, 403, 500,
      ]);
    }
  });

  it('authenticates before it reads a body: a bad body without a token gets 401, below the role 403', async () => {
    server = await startTestServer({ authFailureLimit: 1_000_000 });
    const s = server;
    const secrets = await secretsOfEveryKind(s);
    const requests = matrixRequests({
      rolloutId: 'r-0123456789',
      server: 'HUB01',
      agent: 'HUB01',
      tokenId: 'none',
    }).filter((request) => request.method === 'POST');
    // Each would be refused with 400 or 413 by the parser or the schema, were it read.
    const bodies: [string, string][] = [
      ['not JSON', '{"reason":'],
      ['an unknown field', '{"bogus":true}'],
      ['a body over 1 MiB', JSON.stringify({ reason: 'x'.repeat(1_100_000) })],
    ];
    let refused = 0;
    for (const request of requests)
      for (const [what, body] of bodies) {
        const url = `${s.url}${request.path}`;
        const anonymous = await rawRequest(url, { method: 'POST', body, contentType: 'application/json' });
        expect([anonymous.status, anonymous.body?.code], `${request.path}, ${what}, no token`).toEqual([
          401,
          'SRV_ERR_AUTH_REQUIRED',
        ]);
        const wrong = `exo_${'W'.repeat(43)}`;
        const guessed = await rawRequest(url, {
          method: 'POST',
          token: wrong,
          body,
          contentType: 'application/json',
        });
        expect(guessed.status, `${request.path}, ${what}, a wrong token`).toBe(401);
        refused += 2;
        for (const role of ROLES.slice(0, ROLES.indexOf(request.role))) {
          const below = await rawRequest(url, {
            method: 'POST',
            token: secrets.tokens[role],
            body,
            contentType: 'application/json',
          });
          expect([below.status, below.body?.code], `${request.path}, ${what}, as ${role}`).toEqual([
            403,
            'SRV_ERR_AUTH_FORBIDDEN',
          ]);
          refused++;
        }
      }
    console.log(`auth-first: ${refused} bad bodies refused by authentication before they were read`);
  });

  it('refuses the gateway handshake with any secret but a live agent credential, and writes nothing', async () => {
    server = await startTestServer({ authFailureLimit: 1_000_000 });
    const secrets = await secretsOfEveryKind(server);
    const before = await snapshotRedis(server.redis, server.prefix);
    for (const secret of [
      ...Object.values(secrets.tokens),
      secrets.enrolment,
      secrets.revokedAgent,
      secrets.revoked,
    ])
      await expect(RawAgent.connect(server.wsUrl, secret)).rejects.toThrow('handshake refused: 401');
    expect(snapshotChanges(before, await snapshotRedis(server.redis, server.prefix), mayChange)).toEqual([]);
  });
});

describe('enrolment tokens', () => {
  it('gives an N-use token to exactly N of many agents racing for it, and nothing to the others', async () => {
    server = await startTestServer({ authFailureLimit: 1_000_000 });
    const s = server;
    const token = String((await api(s, 'POST', '/api/v1/enrolment-tokens', s.admin, { uses: 3 })).body.token);
    const names = Array.from({ length: 12 }, (_, i) => `RACE${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(
      names.map((name) => api(s, 'POST', '/agent/v1/enrol', undefined, { token, name })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 401).map((a) => a.body.code)).toEqual(
      Array(9).fill('SRV_ERR_ENROL_TOKEN_INVALID'),
    );
    expect((await api(s, 'GET', '/api/v1/agents', s.admin)).body.agents).toHaveLength(3);
    expect(await s.redis.keys(`${s.prefix}agentcred:*`)).toHaveLength(3);
  });

  it('lets a re-enrolment token take a name over once, and not a second time', async () => {
    server = await startTestServer();
    const s = server;
    await enrolAgent(s, 'MBX01');
    const token = String(
      (await api(s, 'POST', '/api/v1/enrolment-tokens', s.admin, { reenrol: true })).body.token,
    );
    expect((await api(s, 'POST', '/agent/v1/enrol', undefined, { token, name: 'mbx01' })).status).toBe(201);
    const before = await snapshotRedis(s.redis, s.prefix);
    const again = await api(s, 'POST', '/agent/v1/enrol', undefined, { token, name: 'MBX01' });
    expect([again.status, again.body.code]).toEqual([401, 'SRV_ERR_ENROL_TOKEN_INVALID']);
    expect(snapshotChanges(before, await snapshotRedis(s.redis, s.prefix), mayChange)).toEqual([]);
  });
});

describe('an agent speaks only for its own server', () => {
  it('refuses a result, an acknowledgement or progress for a command sent to another agent, and changes nothing', async () => {
    server = await startTestServer({ heartbeatIntervalMs: 15_000, offlineAfterMs: 3_600_000 });
    const s = server;
    const victim = await RawAgent.connect(s.wsUrl, await enrolAgent(s, 'HUB01'));
    await victim.hello('HUB01');
    victim.send(inventory(hub('HUB01')));
    const impostor = await RawAgent.connect(s.wsUrl, await enrolAgent(s, 'HUB02'));
    await impostor.hello('HUB02');
    impostor.send(inventory(hub('HUB02')));
    await eventually(async () => (await s.inventory.list()).length === 2);
    const id = await createRollout(s, { approvalRequired: false }, { names: ['HUB01'] });
    expect((await api(s, 'POST', `/api/v1/rollouts/${id}/start`, s.admin, {})).status).toBe(200);
    const command = await victim.next('COMMAND', 10_000);
    const { commandId, step } = command.payload;
    const view = JSON.stringify((await rollout(s, id)).waves);
    const trail = (await events(s, id)).length;
    const now = new Date().toISOString();
    const forged: AgentMessage[] = [
      { version: 1, type: 'COMMAND_ACK', payload: { commandId } },
      { version: 1, type: 'STEP_PROGRESS', payload: { commandId, step, percent: 99, message: 'forged' } },
      {
        version: 1,
        type: 'STEP_RESULT',
        payload: { commandId, step, outcome: 'succeeded', details: { build: '8.1.340.1' }, finishedAt: now },
      },
    ];
    for (const message of forged) {
      impostor.send(message);
      expect((await impostor.next('ERROR')).payload.code).toBe('COMMAND_UNKNOWN');
    }
    expect(JSON.stringify((await rollout(s, id)).waves)).toBe(view);
    expect((await events(s, id)).length).toBe(trail);
    expect((await s.inventory.get('HUB01'))?.report.build).toBe('8.1.311.3');
    victim.close();
    impostor.close();
  });
});

describe('packages', () => {
  it('fails the server whose package does not have the policy SHA-256, halts for that reason, and installs nothing', async () => {
    server = await startTestServer();
    const s = server;
    const onHost = { 'Exchange2007-KB959241-x64-EN.msp': 'b'.repeat(64) };
    fleet = await fleetFor(s, {
      servers: ['HUB01', 'HUB02'].map((name) =>
        sim(name, ['HubTransport'], { behaviour: { packages: onHost } }),
      ),
    });
    const id = await createRollout(s, { approvalRequired: false });
    expect((await api(s, 'POST', `/api/v1/rollouts/${id}/start`, s.admin, {})).status).toBe(200);
    const halted = await until(s, id, ['halted', 'completed'], 30_000);
    expect(halted.state).toBe('halted');
    expect(halted.reason).toMatch(/fail/i);
    const servers = halted.waves.flatMap((wave) => wave.servers);
    const failed = servers.filter((run) => run.state === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error?.code).toBe('PACKAGE_HASH_MISMATCH');
    expect(failed[0]?.error?.message).toContain(SHA);
    expect(servers.filter((run) => run.state !== 'failed').map((run) => run.state)).toEqual(['pending']);
    const trail = await events(s, id);
    expect(trail.some((event) => event.type === 'rollout.halted')).toBe(true);
    expect(
      trail.filter((event) => event.type === 'server.step-started' && event.data?.step === 'install'),
    ).toEqual([]);
    for (const name of ['HUB01', 'HUB02'])
      expect((await s.inventory.get(name))?.report.build).toBe('8.1.311.3');
  });
});
