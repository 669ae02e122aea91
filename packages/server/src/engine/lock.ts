import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ServerError } from '../errors.js';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Runs `work` holding a Redis lock, so that one rollout is changed by one instance at a time. */
export async function withLock<T>(
  redis: Redis,
  key: string,
  work: () => Promise<T>,
  options: { ttlMs?: number; waitMs?: number } = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? 15_000;
  const deadline = Date.now() + (options.waitMs ?? 20_000);
  const token = randomUUID();
  let pause = 2;
  while ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
    if (Date.now() > deadline)
      throw new ServerError('SRV_ERR_ROLLOUT_BUSY', 503, 'the rollout is busy; try again');
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 10);
  }
  try {
    return await work();
  } finally {
    await redis.eval(RELEASE, 1, key, token);
  }
}
