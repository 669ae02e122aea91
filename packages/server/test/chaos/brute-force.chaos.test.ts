import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerConfig } from '../../src/config.js';
import { api, enrolAgent, eventually, startTestServer, type TestServer } from '../helpers.js';
import { rawRequest } from './rest-routes.js';

// Brute force against tokens, for issue 8: failed authentications (operator token, agent credential, enrolment
// token) are counted per client address in Redis and, past the limit, refused with 429 and Retry-After. The
// servers trust X-Forwarded-For from 127.0.0.1 so that one test can speak from several addresses; the addresses
// (TEST-NET-3) only ever appear in that header, no traffic leaves 127.0.0.1.

const LIMIT = 5;
const LIMITS: Partial<ServerConfig> = {
  authFailureLimit: LIMIT,
  authFailureWindowSeconds: 60,
  authBlockSeconds: 120,
  trustProxy: '127.0.0.1',
};
const ATTACKER = '203.0.113.7';
const BYSTANDER = '203.0.113.8';
const guess = (kind: 'exo' | 'exa' | 'exe') => `${kind}_${randomBytes(32).toString('base64url')}`;

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0).reverse()) await server.close();
});

async function start(overrides: Partial<ServerConfig> = LIMITS, prefix?: string): Promise<TestServer> {
  const server = await startTestServer(
    { ...overrides, heartbeatIntervalMs: 15_000, offlineAfterMs: 60_000 },
    prefix,
  );
  servers.push(server);
  return server;
}

/** A REST call from a client address. */
function rest(server: TestServer, from: string, path: string, token?: string, body?: unknown) {
  return fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      'x-forwarded-for': from,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(async (response) => ({
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  }));
}

/** A gateway handshake from a client address: `open`, or the HTTP status and Retry-After it was refused with. */
function handshake(server: TestServer, from: string, credential: string) {
  return new Promise<{ status: number | 'open'; retryAfter?: string | undefined }>((resolve, reject) => {
    const socket = new WebSocket(server.wsUrl, {
      headers: { authorization: `Bearer ${credential}`, 'x-forwarded-for': from },
    });
    socket.once('open', () => {
      socket.close(1000);
      resolve({ status: 'open' });
    });
    socket.once('unexpected-response', (request, response) => {
      resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] });
      request.destroy();
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

const enrol = (server: TestServer, from: string, token: string, name: string) =>
  rest(server, from, '/agent/v1/enrol', undefined, { token, name });

function expectRateLimited(answer: {
  status: number | string;
  retryAfter?: string | null | undefined;
}): void {
  expect(answer.status).toBe(429);
  expect(Number(answer.retryAfter)).toBeGreaterThan(0);
  expect(Number(answer.retryAfter)).toBeLessThanOrEqual(LIMITS.authBlockSeconds ?? 0);
}

describe('failed authentications are rate limited per client address', () => {
  it('counts failures of every kind together, never successes, and then refuses even good secrets with 429', async () => {
    const server = await start();
    const credential = await enrolAgent(server, 'HUB01');
    const enrolment = String(
      (await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, {})).body.token,
    );
    for (let i = 0; i < 50; i++)
      expect((await rest(server, ATTACKER, '/api/v1/me', server.admin)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await handshake(server, ATTACKER, credential)).status).toBe('open');
    expect((await rest(server, ATTACKER, '/api/v1/me')).status).toBe(401);

    expect((await rest(server, ATTACKER, '/api/v1/me', guess('exo'))).status).toBe(401);
    expect((await rest(server, ATTACKER, '/api/v1/servers', credential)).status).toBe(401);
    expect((await handshake(server, ATTACKER, guess('exa'))).status).toBe(401);
    expect((await handshake(server, ATTACKER, server.admin)).status).toBe(401);
    expect((await enrol(server, ATTACKER, guess('exe'), 'HUB02')).status).toBe(401);

    const over = await rest(server, ATTACKER, '/api/v1/me', guess('exo'));
    expectRateLimited(over);
    expect(over.body).toEqual({
      code: 'SRV_ERR_AUTH_RATE_LIMITED',
      message: expect.stringMatching(/try again/),
    });
    expectRateLimited(await rest(server, ATTACKER, '/api/v1/me', server.admin));
    expectRateLimited(await handshake(server, ATTACKER, credential));
    const refused = await enrol(server, ATTACKER, enrolment, 'HUB03');
    expectRateLimited(refused);
    expect(refused.body.code).toBe('SRV_ERR_AUTH_RATE_LIMITED');
    expect((await api(server, 'GET', '/api/v1/agents', server.admin)).body.agents).toEqual([
      expect.objectContaining({ name: 'HUB01' }),
    ]);

    expect((await rest(server, BYSTANDER, '/api/v1/me', server.admin)).status).toBe(200);
    expect((await handshake(server, BYSTANDER, credential)).status).toBe('open');
    expect((await enrol(server, BYSTANDER, enrolment, 'HUB03')).status).toBe(201);
    expect((await rest(server, BYSTANDER, '/api/v1/me', guess('exo'))).status).toBe(401);
    expect(await server.redis.pttl(`${server.prefix}authfail:${ATTACKER}`)).toBeGreaterThan(60_000);
  });

  it('one credential refused again and again blocks only itself: other secrets from that address still work', async () => {
    // Issue 19 item 6: agents with a revoked credential retrying behind one balancer address locked out the fleet.
    const server = await start();
    const credential = await enrolAgent(server, 'HUB01');
    const revoked = guess('exa');
    for (let i = 0; i < LIMIT; i++) expect((await handshake(server, ATTACKER, revoked)).status).toBe(401);
    for (let i = 0; i < 3; i++) expectRateLimited(await handshake(server, ATTACKER, revoked));
    expect((await rest(server, ATTACKER, '/api/v1/me', server.admin)).status).toBe(200);
    expect((await handshake(server, ATTACKER, credential)).status).toBe('open');
    // It counted once at the address: LIMIT - 1 more wrong credentials are refused with 401, the next one with 429.
    for (let i = 0; i < LIMIT - 1; i++)
      expect((await rest(server, ATTACKER, '/api/v1/me', guess('exo'))).status).toBe(401);
    expectRateLimited(await rest(server, ATTACKER, '/api/v1/me', guess('exo')));
    expectRateLimited(await rest(server, ATTACKER, '/api/v1/me', server.admin));
  });

  it('stops a guessing run after the limit: of 300 guesses only the first few are even checked', async () => {
    const server = await start();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const { status } = await rest(server, ATTACKER, '/api/v1/tokens', guess('exo'));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: LIMIT, 429: 300 - LIMIT });
    expect((await rest(server, BYSTANDER, '/api/v1/tokens', server.admin)).status).toBe(200);
  });

  it('shares the count between server instances through Redis', async () => {
    const prefix = `test-${randomUUID()}:`;
    const first = await start(LIMITS, prefix);
    const second = await start(LIMITS, prefix);
    for (let i = 0; i < 3; i++)
      expect((await rest(first, ATTACKER, '/api/v1/me', guess('exo'))).status).toBe(401);
    for (let i = 0; i < 2; i++)
      expect((await rest(second, ATTACKER, '/api/v1/me', guess('exo'))).status).toBe(401);
    expectRateLimited(await rest(second, ATTACKER, '/api/v1/me', guess('exo')));
    expectRateLimited(await rest(first, ATTACKER, '/api/v1/me', first.admin));
  });

  it('lets the address in again once its block is over', async () => {
    const server = await start({ ...LIMITS, authFailureWindowSeconds: 1, authBlockSeconds: 1 });
    for (let i = 0; i < LIMIT; i++) await rest(server, ATTACKER, '/api/v1/me', guess('exo'));
    expect((await rest(server, ATTACKER, '/api/v1/me', guess('exo'))).status).toBe(429);
    expect((await rest(server, ATTACKER, '/api/v1/me', server.admin)).status).toBe(429);
    await eventually(
      async () => (await rest(server, ATTACKER, '/api/v1/me', server.admin)).status === 200,
      10_000,
      'block lifted',
    );
  });

  it('counts per address without a proxy too: the socket address, X-Forwarded-For ignored', async () => {
    const server = await start({
      authFailureLimit: LIMIT,
      authFailureWindowSeconds: 60,
      authBlockSeconds: 120,
    });
    for (let i = 0; i < LIMIT; i++)
      expect((await rest(server, `198.51.100.${i}`, '/api/v1/me', guess('exo'))).status).toBe(401);
    expectRateLimited(await rest(server, ATTACKER, '/api/v1/me', guess('exo')));
    expectRateLimited(await rest(server, BYSTANDER, '/api/v1/me', server.admin));
    expect(await server.redis.exists(`${server.prefix}authfail:127.0.0.1`)).toBe(1);
    const plain = await rawRequest(`${server.url}/api/v1/me`, { method: 'GET', token: server.admin });
    expect(plain.status).toBe(429);
  });
});
