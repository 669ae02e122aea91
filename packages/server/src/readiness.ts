import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

/** What the readiness route checks with. */
export interface ReadinessDeps {
  readonly redis: Redis;
  /** The key it writes (with a short TTL) to prove that Redis takes writes. */
  readonly key: string;
  readonly instanceId: string;
  /** How long the write may take before the instance counts as not ready. */
  readonly timeoutMs: number;
}

/**
 * `GET /readyz`: 200 while this instance can write to Redis, 503 while it cannot (Redis down, or a demoted primary
 * answering READONLY), so that a load balancer takes it out. `/healthz` stays the liveness check.
 */
export function readinessRoute(app: FastifyInstance, deps: ReadinessDeps): void {
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const problem = await writeProblem(deps);
    if (problem === undefined) return { ready: true, instance: deps.instanceId };
    return reply.code(503).send({ ready: false, instance: deps.instanceId, reason: problem });
  });
}

async function writeProblem(deps: ReadinessDeps): Promise<string | undefined> {
  // Without a connection, the write would wait in the offline queue: say so at once.
  if (deps.redis.status !== 'ready') return `Redis connection is ${deps.redis.status}`;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`Redis did not take a write within ${deps.timeoutMs} ms`),
      deps.timeoutMs,
    );
  });
  const write = deps.redis.set(deps.key, String(Date.now()), 'PX', 10_000).then(
    () => undefined,
    (error: unknown) => `Redis refused a write: ${(error as Error).message}`,
  );
  try {
    return await Promise.race([write, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
