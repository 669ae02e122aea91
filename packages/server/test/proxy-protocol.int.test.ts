import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerConfig } from '../src/config.js';
import { api, enrolAgent, startTestServer, type TestServer } from './helpers.js';

// Issue 19 item 6: behind a TCP balancer every connection comes from the balancer's address, so the login limiter
// locked out the fleet. The "balancer" here connects from 127.0.0.2 (a loopback address of its own) and sends a
// PROXY protocol header naming a client in TEST-NET-3; plain clients connect from 127.0.0.1 as usual.
const BALANCER = '127.0.0.2';
const ATTACKER = '203.0.113.7';
const BYSTANDER = '203.0.113.8';
const LIMITS: Partial<ServerConfig> = {
  authFailureLimit: 3,
  authFailureWindowSeconds: 60,
  authBlockSeconds: 120,
  proxyProtocolFrom: BALANCER,
};
const FIXTURES = join(import.meta.dirname, 'fixtures');

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const server = await startTestServer({
    ...LIMITS,
    heartbeatIntervalMs: 15_000,
    offlineAfterMs: 60_000,
    ...overrides,
  });
  servers.push(server);
  return server;
}

function v1(client: string): Buffer {
  return Buffer.from(`PROXY TCP4 ${client} 127.0.0.1 40000 8080\r\n`);
}

function v2(client: string): Buffer {
  const header = Buffer.from([
    0x0d,
    0x0a,
    0x0d,
    0x0a,
    0x00,
    0x0d,
    0x0a,
    0x51,
    0x55,
    0x49,
    0x54,
    0x0a,
    0x21,
    0x11,
    0x00,
    0x0c,
    ...client.split('.').map(Number),
    127,
    0,
    0,
    1,
    0x9c,
    0x40,
    0x1f,
    0x90,
  ]);
  return header;
}

/** A TCP connection from the balancer's address that sends `header` (if any) before anything else. */
function fromBalancer(url: string, header: Buffer | undefined): Socket {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), localAddress: BALANCER });
  if (header) socket.write(header);
  return socket;
}

/** A REST call through the balancer: status and Retry-After. */
function viaBalancer(server: TestServer, header: Buffer | undefined, path: string, token?: string) {
  const tls = server.url.startsWith('https:');
  return new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
    const options = {
      method: 'GET',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      createConnection: () => {
        const raw = fromBalancer(server.url, header);
        return tls ? tlsConnect({ socket: raw, rejectUnauthorized: false }) : raw;
      },
    };
    const request = (tls ? httpsRequest : httpRequest)(`${server.url}${path}`, options, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] });
    });
    request.on('error', reject);
    request.end();
  });
}

function handshakeViaBalancer(
  server: TestServer,
  header: Buffer,
  credential: string,
): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.wsUrl, {
      headers: { authorization: `Bearer ${credential}` },
      createConnection: () => fromBalancer(server.url, header),
    });
    socket.once('open', () => {
      socket.close(1000);
      resolve('open');
    });
    socket.once('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

const wrong = 'exo_wrong-token-guessed-by-an-attacker-0000000000';

describe('PROXY protocol from the configured balancer', () => {
  it('counts the client the header names: a guesser behind the balancer is refused, the fleet behind it is not', async () => {
    const server = await start();
    const credential = await enrolAgent(server, 'HUB01');
    for (let i = 0; i < 3; i++)
      expect((await viaBalancer(server, v1(ATTACKER), '/api/v1/me', `${wrong}${i}`)).status).toBe(401);
    const refused = await viaBalancer(server, v1(ATTACKER), '/api/v1/me', `${wrong}x`);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await viaBalancer(server, v2(BYSTANDER), '/api/v1/me', server.admin)).status).toBe(200);
    expect((await viaBalancer(server, v1(BYSTANDER), '/api/v1/me', server.admin)).status).toBe(200);
    expect(await handshakeViaBalancer(server, v2(BYSTANDER), credential)).toBe('open');
    expect(await handshakeViaBalancer(server, v1(ATTACKER), credential)).toBe(429);
    expect(await server.redis.exists(`${server.prefix}authfail:${ATTACKER}`)).toBe(1);
    expect(await server.redis.exists(`${server.prefix}authfail:${BALANCER}`)).toBe(0);
  });

  it('closes a balancer connection without a header, and serves other peers as they are', async () => {
    const server = await start();
    await expect(viaBalancer(server, undefined, '/api/v1/me', server.admin)).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
    expect((await api(server, 'GET', '/api/v1/me', server.admin)).status).toBe(200);
  });

  it('reads the header before the TLS handshake', async () => {
    const server = await start({
      tlsCertFile: join(FIXTURES, 'test-tls.crt'),
      tlsKeyFile: join(FIXTURES, 'test-tls.key'),
    });
    for (let i = 0; i < 3; i++)
      expect((await viaBalancer(server, v2(ATTACKER), '/api/v1/me', `${wrong}${i}`)).status).toBe(401);
    expect((await viaBalancer(server, v2(ATTACKER), '/api/v1/me', `${wrong}x`)).status).toBe(429);
    expect((await viaBalancer(server, v2(ATTACKER), '/api/v1/me', server.admin)).status).toBe(429);
    expect((await viaBalancer(server, v1(BYSTANDER), '/api/v1/me', server.admin)).status).toBe(200);
  });
});
