import { type HostFacts, type InventoryServer, normalizeBuild } from '@exrollout/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';

/** What the server knows of one Exchange server: its latest report and whether its agent is connected. */
export interface ServerRecord {
  readonly name: string;
  readonly report: InventoryServer;
  readonly host: HostFacts;
  readonly collectedAt: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly online: boolean;
  readonly agent: {
    readonly version?: string;
    readonly driver?: string;
    readonly mode?: string;
    readonly instance?: string;
  };
}

/** One change of a server's build, as the agent reported it. */
export interface BuildChange {
  readonly at: string;
  readonly from: string | null;
  readonly to: string;
}

/** How a connected agent introduced itself. */
export interface AgentSession {
  readonly session: string;
  readonly instance: string;
  readonly agentVersion: string;
  readonly driver: string;
  readonly mode?: string;
}

const HISTORY_LIMIT = 100;

// Marks a server offline only if the caller still owns its session (or, for the sweeper, if it is still stale),
// so that a late close on one instance cannot undo a reconnect to another.
const MARK_OFFLINE = `
local server, lastSeen, name = KEYS[1], KEYS[2], ARGV[1]
local session, staleBefore = ARGV[2], tonumber(ARGV[3])
if session ~= '' and redis.call('HGET', server, 'session') ~= session then return 0 end
if staleBefore >= 0 then
  local score = redis.call('ZSCORE', lastSeen, name)
  if not score or tonumber(score) >= staleBefore then return 0 end
end
redis.call('ZREM', lastSeen, name)
redis.call('HSET', server, 'online', '0')
return 1
`;

/** Inventory and liveness of every server, in Redis, shared by all server instances. */
export class InventoryStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Records that an agent connected: online, with its session, from now. */
  async connected(name: string, agent: AgentSession, now: Date): Promise<void> {
    const key = this.keys.server(name);
    await this.redis
      .multi()
      .hsetnx(key, 'firstSeen', now.toISOString())
      .hset(key, {
        name,
        online: '1',
        lastSeen: now.toISOString(),
        session: agent.session,
        instance: agent.instance,
        agentVersion: agent.agentVersion,
        driver: agent.driver,
        mode: agent.mode ?? '',
      })
      .zadd(this.keys.lastSeen, now.getTime(), name.toLowerCase())
      .exec();
  }

  /** Stores an inventory report; returns the build change it carried, if any. */
  async report(
    name: string,
    server: InventoryServer,
    host: HostFacts,
    collectedAt: string,
    now: Date,
  ): Promise<BuildChange | undefined> {
    const key = this.keys.server(name);
    const previous = await this.redis.hget(key, 'build');
    const build = normalizeBuild(server.build);
    const change = previous === build ? undefined : { at: now.toISOString(), from: previous, to: build };
    const write = this.redis
      .multi()
      .hset(key, {
        report: JSON.stringify(server),
        host: JSON.stringify(host),
        collectedAt,
        build,
        lastSeen: now.toISOString(),
        online: '1',
      })
      .sadd(this.keys.servers, name.toLowerCase())
      .zadd(this.keys.lastSeen, now.getTime(), name.toLowerCase());
    if (server.cluster) write.sadd(this.keys.cluster(server.cluster.name), name.toLowerCase());
    if (change)
      write
        .lpush(this.keys.history(name), JSON.stringify(change))
        .ltrim(this.keys.history(name), 0, HISTORY_LIMIT - 1);
    await write.exec();
    return change;
  }

  /** Records a heartbeat: the server is online and was heard from now (even if a sweep had marked it offline). */
  async touch(name: string, now: Date): Promise<void> {
    // Two idempotent writes: no transaction needed, and a heartbeat must not wait on one.
    await Promise.all([
      this.redis.zadd(this.keys.lastSeen, now.getTime(), name.toLowerCase()),
      this.redis.hset(this.keys.server(name), { lastSeen: now.toISOString(), online: '1' }),
    ]);
  }

  /** Marks a server offline if `session` is still its current one; false if another session took over. */
  async disconnected(name: string, session: string): Promise<boolean> {
    return (await this.markOffline(name, session, -1)) === 1;
  }

  /** Marks offline every server not heard from since `staleBefore`; returns their names. */
  async sweep(staleBefore: Date, limit = 1000): Promise<string[]> {
    const stale = await this.redis.zrangebyscore(
      this.keys.lastSeen,
      '-inf',
      `(${staleBefore.getTime()}`,
      'LIMIT',
      0,
      limit,
    );
    const swept: string[] = [];
    for (const name of stale)
      if ((await this.markOffline(name, '', staleBefore.getTime())) === 1) swept.push(name);
    return swept;
  }

  /** Every server that has reported an inventory. */
  async list(): Promise<ServerRecord[]> {
    const names = await this.redis.smembers(this.keys.servers);
    const pipeline = this.redis.pipeline();
    for (const name of names) pipeline.hgetall(this.keys.server(name));
    const rows = (await pipeline.exec()) ?? [];
    return rows
      .map(([, value]) => toRecord(value as Record<string, string>))
      .filter((r): r is ServerRecord => r !== undefined);
  }

  /** One server, or undefined if it never reported. */
  async get(name: string): Promise<ServerRecord | undefined> {
    return toRecord(await this.redis.hgetall(this.keys.server(name)));
  }

  /** The other nodes of a Windows cluster that still report membership of it. */
  async clusterPeers(cluster: string, except: string): Promise<ServerRecord[]> {
    const names = (await this.redis.smembers(this.keys.cluster(cluster))).filter(
      (name) => name !== except.toLowerCase(),
    );
    const records = await Promise.all(names.map((name) => this.get(name)));
    return records.filter(
      (record): record is ServerRecord =>
        record?.report.cluster?.name.toLowerCase() === cluster.toLowerCase(),
    );
  }

  /** The server's build changes, newest first. */
  async history(name: string): Promise<BuildChange[]> {
    return (await this.redis.lrange(this.keys.history(name), 0, HISTORY_LIMIT - 1)).map(
      (text) => JSON.parse(text) as BuildChange,
    );
  }

  private async markOffline(name: string, session: string, staleBefore: number): Promise<number> {
    const result = await this.redis.eval(
      MARK_OFFLINE,
      2,
      this.keys.server(name),
      this.keys.lastSeen,
      name.toLowerCase(),
      session,
      staleBefore,
    );
    return Number(result);
  }
}

function toRecord(hash: Record<string, string>): ServerRecord | undefined {
  if (!hash.report || !hash.name) return undefined;
  return {
    name: (JSON.parse(hash.report) as InventoryServer).name,
    report: JSON.parse(hash.report) as InventoryServer,
    host: JSON.parse(hash.host ?? '{}') as HostFacts,
    collectedAt: hash.collectedAt ?? '',
    firstSeen: hash.firstSeen ?? '',
    lastSeen: hash.lastSeen ?? '',
    online: hash.online === '1',
    agent: {
      ...(hash.agentVersion ? { version: hash.agentVersion } : {}),
      ...(hash.driver ? { driver: hash.driver } : {}),
      ...(hash.mode ? { mode: hash.mode } : {}),
      ...(hash.instance ? { instance: hash.instance } : {}),
    },
  };
}
