import { randomUUID } from 'node:crypto';
import { connectRedis, deleteKeysWithPrefix } from '@exrollout/server';
import {
  createTokenWithCli,
  type ServerProcess,
  serverEnv,
  startServerProcess,
} from '../../packages/server/test/process.js';

/** A real `exrollout-server` process on 127.0.0.1 with its own Redis key prefix and an admin token. */
export interface BenchServer {
  readonly process: ServerProcess;
  readonly url: string;
  readonly admin: string;
  /** Its Redis key prefix (`bench-<uuid>:`). */
  readonly prefix: string;
  /** Stops the process and deletes every key under its prefix. */
  stop(): Promise<void>;
}

/** Starts a server process for a bench; `extra` are environment overrides (EXR_*). */
export async function startBenchServer(
  redisUrl: string,
  extra: Record<string, string>,
): Promise<BenchServer> {
  const prefix = `bench-${randomUUID()}:`;
  const env = serverEnv(prefix, { REDIS_URL: redisUrl, ...extra });
  const cleanUp = async () => {
    const redis = await connectRedis(redisUrl);
    try {
      await deleteKeysWithPrefix(redis, prefix);
    } finally {
      await redis.quit();
    }
  };
  let server: ServerProcess;
  try {
    const admin = await createTokenWithCli(env, 'admin');
    server = await startServerProcess(env, `bench-${prefix.slice(6, 14)}`);
    return {
      process: server,
      url: server.url,
      admin,
      prefix,
      stop: async () => {
        await server.stop();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Calls the REST API with a token; returns status and parsed body. */
export async function call(
  server: { url: string },
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Polls `check` every 100 ms until it is true; throws after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
