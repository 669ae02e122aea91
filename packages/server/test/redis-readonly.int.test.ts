import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis } from '../src/redis.js';
import { type RedisProcess, startRedisProcess } from './redis-process.js';

// Issue 19 item 1: a primary demoted under a connection (without Sentinel's client kill) answers READONLY; the
// connection must be made again, so that through Sentinel it reaches the new primary.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function node(): Promise<RedisProcess> {
  const started = await startRedisProcess();
  cleanups.push(() => started.stop());
  return started;
}

describe('a connection whose node was demoted to a replica', () => {
  it('fails the refused write and connects again', async () => {
    const [primary, other] = [await node(), await node()];
    const redis = await connectRedis(primary.url);
    cleanups.push(async () => redis.disconnect());
    const before = await redis.client('ID');
    const demote = await connectRedis(primary.url);
    await demote.call('replicaof', '127.0.0.1', new URL(other.url).port);
    demote.disconnect();
    const reconnected = once(redis, 'ready');
    await expect(redis.set('exr-readonly-probe', '1')).rejects.toThrow(/READONLY/);
    const late = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no new connection within 5 s')), 5000).unref(),
    );
    await Promise.race([reconnected, late]);
    expect(await redis.client('ID')).not.toBe(before);
  });
});
