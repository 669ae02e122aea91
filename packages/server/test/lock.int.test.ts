import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { withLock } from '../src/engine/lock.js';
import { connectRedis } from '../src/redis.js';

const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
afterAll(() => redis.quit());

describe('the rollout lock', () => {
  it('lets one holder in at a time', async () => {
    const key = `test-${randomUUID()}:lock`;
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        withLock(redis, key, async () => {
          order.push(`${name} in`);
          await new Promise((resolve) => setTimeout(resolve, 20));
          order.push(`${name} out`);
        }),
      ),
    );
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]?.replace(' in', ' out'));
  });

  it('abandons work that outlives two thirds of the lock, aborts its signal and frees the lock at once', async () => {
    const key = `test-${randomUUID()}:lock`;
    let signal: AbortSignal | undefined;
    const hung = withLock(
      redis,
      key,
      (given) => {
        signal = given;
        return new Promise<void>(() => undefined);
      },
      { ttlMs: 3000 },
    );
    await expect(hung).rejects.toMatchObject({ code: 'SRV_ERR_WORK_TIMEOUT' });
    expect(signal?.aborted).toBe(true);
    expect(await redis.get(key)).toBeNull();
    await expect(withLock(redis, key, async () => 'next', { waitMs: 0 })).resolves.toBe('next');
  });
});
