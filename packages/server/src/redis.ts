import { Redis } from 'ioredis';
import { ServerError } from './errors.js';

/** How long a command on the shared connection may take; connections for blocking reads must override it. */
export const COMMAND_TIMEOUT_MS = 5000;

/** Options for a duplicate connection that blocks (XREAD BLOCK, BullMQ's worker): no command timeout. */
export const BLOCKING: { commandTimeout: undefined } = { commandTimeout: undefined };

/** Connects to Redis and checks that it answers; throws a clear error if it does not within `timeoutMs`. */
export async function connectRedis(url: string, timeoutMs = 5000): Promise<Redis> {
  // A command in flight when the connection drops must fail, not be sent again: a MULTI that Redis already ran
  // would run twice. The engine's jobs retry, and their state checks make a retry a no-op. ioredis 5 then never
  // settles such a command (redis/ioredis#2193): the command timeout makes it fail instead of hanging for ever.
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    connectTimeout: timeoutMs,
    autoResendUnfulfilledCommands: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new ServerError(
      'SRV_ERR_REDIS_UNREACHABLE',
      503,
      `cannot reach Redis at ${redactUrl(url)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** Deletes every key under a prefix (SCAN, never KEYS): for tests and the demo, which use a prefix of their own. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
