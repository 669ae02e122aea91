import { Redis, type RedisOptions } from 'ioredis';
import { type HostPort, type ServerConfig, sentinelAddresses } from './config.js';
import { ServerError } from './errors.js';

/** Where Redis is: a URL, and with Sentinel the Sentinels' addresses and the primary's master name. */
export interface RedisTarget {
  readonly url: string;
  readonly sentinels?: readonly HostPort[];
  readonly masterName?: string;
}

/** The Redis target of a configuration. */
export function redisTarget(
  config: Pick<ServerConfig, 'redisUrl' | 'redisSentinels' | 'redisMasterName'>,
): RedisTarget {
  const sentinels = sentinelAddresses(config);
  if (sentinels.length === 0 || config.redisMasterName === undefined) return { url: config.redisUrl };
  return { url: config.redisUrl, sentinels, masterName: config.redisMasterName };
}

/** The target for logs and messages: the URL without its password, and the Sentinels. */
export function describeTarget(target: RedisTarget): string {
  if (!target.sentinels) return redactUrl(target.url);
  const sentinels = target.sentinels.map((s) => `${s.host}:${s.port}`).join(',');
  return `master ${target.masterName} via Sentinels ${sentinels}`;
}

/**
 * A command refused with READONLY reached a replica: a primary that Sentinel demoted. The connection is dropped
 * and made again (through Sentinel, to the new primary); the command itself fails rather than being sent again,
 * since inside a MULTI it would run alone (the engine's jobs retry).
 */
export function reconnectOnReadonly(error: Error): boolean {
  return error.message.startsWith('READONLY');
}

/** How long a command on the shared connection may take; connections for blocking reads must override it. */
export const COMMAND_TIMEOUT_MS = 5000;

/** Options for a duplicate connection that blocks (XREAD BLOCK, BullMQ's worker): no command timeout. */
export const BLOCKING: { commandTimeout: undefined } = { commandTimeout: undefined };

/** Connects to Redis and checks that it answers; throws a clear error if it does not within `timeoutMs`. */
export async function connectRedis(target: string | RedisTarget, timeoutMs = 5000): Promise<Redis> {
  const where: RedisTarget = typeof target === 'string' ? { url: target } : target;
  // A command in flight when the connection drops must fail, not be sent again: a MULTI that Redis already ran
  // would run twice. The engine's jobs retry, and their state checks make a retry a no-op. ioredis 5 then never
  // settles such a command (redis/ioredis#2193): the command timeout makes it fail instead of hanging for ever.
  const redis = new Redis(where.url, {
    ...sentinelOptions(where),
    lazyConnect: true,
    reconnectOnError: reconnectOnReadonly,
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
      `cannot reach Redis at ${describeTarget(where)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function sentinelOptions(target: RedisTarget): RedisOptions {
  if (!target.sentinels || target.masterName === undefined) return {};
  return {
    sentinels: target.sentinels.map((address) => ({ ...address })),
    name: target.masterName,
    // Sentinels restarting one by one must not end the retries: keep asking, at most every 2 s.
    sentinelRetryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
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
