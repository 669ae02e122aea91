import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { withLock } from '../src/engine/lock.js';
import { connectRedis } from '../src/redis.js';

const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
afterAll(() => redis.quit());

describe('the rollout lock', () => {
  it('lets one holder in at a time, and every contender does its work once', async () => {
    const key = `test-${randomUUID()}:lock`;
    const counter = `${key}:counter`;
    const order: string[] = [];
    const names = ['a', 'b', 'c', 'd', 'e'];
    // A read-modify-write of a Redis counter: lost updates if two holders overlap, a short count if one skipped.
    const results = await Promise.all(
      names.map((name) =>
        withLock(redis, key, async () => {
          order.push(`${name} in`);
          const seen = Number((await redis.get(counter)) ?? 0);
          await new Promise((resolve) => setTimeout(resolve, 15));
          await redis.set(counter, String(seen + 1));
          order.push(`${name} out`);
          return name;
        }),
      ),
    );
    expect(results).toEqual(names);
    expect(await redis.get(counter)).toBe(String(names.length));
    expect(order).toHaveLength(names.length * 2);
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]?.replace(' in', ' out'));
    expect(await redis.get(key)).toBeNull();
    await redis.del(counter);
  });

  it('fails a contender that waited too long with SRV_ERR_ROLLOUT_BUSY, without running its work', async () => {
    const key = `test-${randomUUID()}:lock`;
    await redis.set(key, 'another instance', 'PX', 5000);
    let ran = false;
    const busy = withLock(
      redis,
      key,
      async () => {
        ran = true;
      },
      { waitMs: 100 },
    );
    await expect(busy).rejects.toMatchObject({ code: 'SRV_ERR_ROLLOUT_BUSY', statusCode: 503 });
    expect(ran).toBe(false);
    expect(await redis.get(key)).toBe('another instance');
    await redis.del(key);
  });

  it('gets in once the lock of a holder that died expires', async () => {
    const key = `test-${randomUUID()}:lock`;
    await redis.set(key, 'a dead instance', 'PX', 200);
    await expect(withLock(redis, key, async () => 'ran', { waitMs: 3000 })).resolves.toBe('ran');
  });

  it('releases only its own lock, not one another instance took after it expired', async () => {
    const key = `test-${randomUUID()}:lock`;
    await withLock(redis, key, async () => {
      await redis.set(key, 'the next holder', 'PX', 5000);
    });
    expect(await redis.get(key)).toBe('the next holder');
    await redis.del(key);
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
