import { randomUUID } from 'node:crypto';
import { type AgentMessage, decodeServerMessage, encodeMessage, type ServerMessage } from '@exrollout/core';
import type { Redis } from 'ioredis';
import pino from 'pino';
import WebSocket from 'ws';
import { buildServer, type ExrolloutServer } from '../src/app.js';
import { loadConfig, type ServerConfig } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import { connectRedis, deleteKeysWithPrefix, redisTarget } from '../src/redis.js';

/** A server on 127.0.0.1 port 0 with its own Redis key prefix, and an admin token. */
export interface TestServer extends ExrolloutServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly admin: string;
  readonly redis: Redis;
  readonly prefix: string;
  close(): Promise<void>;
}

/**
 * Starts a server for one test; `close()` stops it and deletes every key under its prefix. `beforeListen` may
 * register more routes; `logger` replaces the default pino logger (at TEST_LOG_LEVEL, silent by default).
 */
export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  prefix = `test-${randomUUID()}:`,
  beforeListen?: (server: ExrolloutServer) => Promise<void>,
  logger?: Logger,
): Promise<TestServer> {
  const config = loadConfig(
    { REDIS_URL: process.env.REDIS_URL },
    {
      port: 0,
      redisPrefix: prefix,
      logLevel: (process.env.TEST_LOG_LEVEL ?? 'silent') as ServerConfig['logLevel'],
      heartbeatIntervalMs: 200,
      offlineAfterMs: 600,
      ...overrides,
    },
  );
  const redis = await connectRedis(redisTarget(config));
  const server = await buildServer({ config, logger: logger ?? pino({ level: config.logLevel }), redis });
  await beforeListen?.(server);
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  const admin = await server.tokens.createOperatorToken('test-admin', 'admin');
  return {
    ...server,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/agent/v1`,
    admin: admin.token,
    redis,
    prefix,
    close: async () => {
      await server.app.close();
      await deletePrefix(redis, prefix);
      await redis.quit();
    },
  };
}

/** Deletes every key under a prefix. */
export const deletePrefix = deleteKeysWithPrefix;

/** Calls the REST API with a token; returns status and parsed body. */
export async function api(
  server: { url: string },
  method: string,
  path: string,
  token?: string,
  body?: unknown,
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & Record<string, never>,
  };
}

/** Creates an enrolment token and enrols `name`; returns the agent credential. */
export async function enrolAgent(server: TestServer, name: string): Promise<string> {
  const token = await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, { uses: 1 });
  const enrolled = await api(server, 'POST', '/agent/v1/enrol', undefined, { token: token.body.token, name });
  if (enrolled.status !== 201) throw new Error(`enrolment failed: ${JSON.stringify(enrolled.body)}`);
  return String(enrolled.body.credential);
}

/** A raw protocol peer for tests: sends frames and awaits the server's messages and close. */
export class RawAgent {
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const decoded = decodeServerMessage(String(data));
      if (decoded.ok) this.messages.push(decoded.message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  /** Opens a connection with a credential; rejects with the HTTP status if the handshake is refused. */
  static connect(wsUrl: string, credential?: string): Promise<RawAgent> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl, {
        headers: credential ? { authorization: `Bearer ${credential}` } : {},
      });
      socket.once('open', () => resolve(new RawAgent(socket)));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`handshake refused: ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  /** Sends a protocol message (or any raw text). */
  send(message: AgentMessage | string): void {
    this.socket.send(typeof message === 'string' ? message : encodeMessage(message));
  }

  /** Waits for the first message of a type received so far or later. */
  async next<T extends ServerMessage['type']>(
    type: T,
    timeoutMs = 3000,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((message) => message.type === type);
      if (found) {
        this.messages.splice(this.messages.indexOf(found), 1);
        return found as Extract<ServerMessage, { type: T }>;
      }
      if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Says HELLO as `name` and waits for WELCOME. */
  async hello(name: string): Promise<Extract<ServerMessage, { type: 'WELCOME' }>> {
    this.send({ version: 1, type: 'HELLO', payload: { name, agentVersion: 'test', driver: 'simulated' } });
    return this.next('WELCOME');
  }

  /** Closes the connection. */
  close(): void {
    this.socket.close(1000);
  }
}

/** Polls `check` until it returns true or the time runs out. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
