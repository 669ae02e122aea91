import type { Redis } from 'ioredis';

/** One key as read back: its type, whether it expires, and its value (a hash as field → value). */
export interface KeyDump {
  readonly type: string;
  readonly expires: boolean;
  readonly value: unknown;
}

/** Every key under a prefix (the prefix cut off): what a test compares before and after. */
export type RedisSnapshot = ReadonlyMap<string, KeyDump>;

/** What a comparison may let change: whole keys, or single fields of a hash. */
export type Allowed = (key: string, field?: string) => boolean;

/** Reads every key under `prefix` (SCAN), type by type. */
export async function snapshotRedis(redis: Redis, prefix: string): Promise<RedisSnapshot> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  const snapshot = new Map<string, KeyDump>();
  for (const key of keys.sort()) {
    const dumped = await dump(redis, key);
    if (dumped) snapshot.set(key.slice(prefix.length), dumped);
  }
  return snapshot;
}

/** The keys (and hash fields) added, removed or changed between two snapshots, except what `allowed` lets change. */
export function snapshotChanges(
  before: RedisSnapshot,
  after: RedisSnapshot,
  allowed: Allowed = () => false,
): string[] {
  const changes: string[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (allowed(key)) continue;
    const was = before.get(key);
    const is = after.get(key);
    if (was?.type === 'hash' && is?.type === 'hash' && was.expires === is.expires) {
      changes.push(...hashChanges(key, was.value, is.value, allowed));
      continue;
    }
    const a = was && JSON.stringify(was);
    const b = is && JSON.stringify(is);
    if (a === b) continue;
    if (a === undefined) changes.push(`+ ${key} = ${clip(b)}`);
    else if (b === undefined) changes.push(`- ${key} (was ${clip(a)})`);
    else changes.push(`~ ${key}: ${clip(a)} -> ${clip(b)}`);
  }
  return changes.sort();
}

function hashChanges(key: string, was: unknown, is: unknown, allowed: Allowed): string[] {
  const a = was as Record<string, string>;
  const b = is as Record<string, string>;
  const changes: string[] = [];
  for (const field of new Set([...Object.keys(a), ...Object.keys(b)]))
    if (a[field] !== b[field] && !allowed(key, field))
      changes.push(`~ ${key}.${field}: ${clip(a[field])} -> ${clip(b[field])}`);
  return changes;
}

async function dump(redis: Redis, key: string): Promise<KeyDump | undefined> {
  const [type, ttl] = await Promise.all([redis.type(key), redis.pttl(key)]);
  const value = await readValue(redis, key, type);
  return value === undefined ? undefined : { type, expires: ttl >= 0, value };
}

async function readValue(redis: Redis, key: string, type: string): Promise<unknown> {
  switch (type) {
    case 'string':
      return redis.get(key);
    case 'hash':
      return redis.hgetall(key);
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'set':
      return (await redis.smembers(key)).sort();
    case 'zset':
      return redis.zrange(key, 0, -1, 'WITHSCORES');
    case 'stream':
      return redis.xrange(key, '-', '+');
    case 'none':
      return undefined;
    default:
      return `<${type}>`;
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function clip(text: string | undefined): string {
  if (text === undefined) return '(none)';
  return text.length > 160 ? `${text.slice(0, 160)}...` : text;
}
