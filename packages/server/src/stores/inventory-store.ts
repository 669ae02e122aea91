import {
  type HostFacts,
  type InternetFacingPin,
  type Inventory,
  type InventoryServer,
  normalizeBuild,
} from '@exrollout/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import { PinStore } from './pin-store.js';
import { RedisScript, ScriptBatch } from './script-batch.js';

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
const MARK_OFFLINE = new RedisScript(`
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
`);

// One script per agent message, so that thousands of them share a pipeline (see ScriptBatch) and each costs
// Redis one command instead of up to six (HGET, MULTI, HSET, SADD, ZADD, EXEC).
const CONNECTED = new RedisScript(`
local server, lastSeen = KEYS[1], KEYS[2]
local now, nowMs, lower = ARGV[1], ARGV[2], ARGV[3]
redis.call('HSETNX', server, 'firstSeen', now)
redis.call('HSET', server, 'name', ARGV[4], 'online', '1', 'lastSeen', now, 'session', ARGV[5], 'instance', ARGV[6],
  'agentVersion', ARGV[7], 'driver', ARGV[8], 'mode', ARGV[9])
redis.call('ZADD', lastSeen, nowMs, lower)
`);

// Stores a report and, if the build changed, a history entry (JSON as BuildChange); returns the previous build
// ('' if none) when it changed, nil when it did not. KEYS[5], the cluster's member set, is optional.
const REPORT = new RedisScript(`
local server, servers, lastSeen, history, cluster = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local build, now, nowMs, lower, limit = ARGV[4], ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8])
local previous = redis.call('HGET', server, 'build')
redis.call('HSET', server, 'report', ARGV[1], 'host', ARGV[2], 'collectedAt', ARGV[3], 'build', build,
  'lastSeen', now, 'online', '1')
redis.call('SADD', servers, lower)
redis.call('ZADD', lastSeen, nowMs, lower)
if cluster then redis.call('SADD', cluster, lower) end
if previous == build then return nil end
local from = previous and cjson.encode(previous) or 'null'
redis.call('LPUSH', history, '{"at":' .. cjson.encode(now) .. ',"from":' .. from .. ',"to":' .. cjson.encode(build) .. '}')
redis.call('LTRIM', history, 0, limit - 1)
return previous or ''
`);

// Two idempotent writes; a heartbeat changes nothing else.
const TOUCH = new RedisScript(`
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], 'lastSeen', ARGV[3], 'online', '1')
`);

/** Inventory and liveness of every server, in Redis, shared by all server instances. */
export class InventoryStore {
  readonly #batch: ScriptBatch;
  /** Operators' Internet-facing pins, kept apart from the agents' reports they override. */
  readonly pins: PinStore;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    this.#batch = new ScriptBatch(redis);
    this.pins = new PinStore(redis, keys);
  }

  /** Records that an agent connected: online, with its session, from now. */
  async connected(name: string, agent: AgentSession, now: Date): Promise<void> {
    await this.#batch.call(
      CONNECTED,
      [this.keys.server(name), this.keys.lastSeen],
      [
        now.toISOString(),
        now.getTime(),
        name.toLowerCase(),
        name,
        agent.session,
        agent.instance,
        agent.agentVersion,
        agent.driver,
        agent.mode ?? '',
      ],
    );
  }

  /** Stores an inventory report; returns the build change it carried, if any. */
  async report(
    name: string,
    server: InventoryServer,
    host: HostFacts,
    collectedAt: string,
    now: Date,
  ): Promise<BuildChange | undefined> {
    const build = normalizeBuild(server.build);
    const lower = name.toLowerCase();
    const at = now.toISOString();
    const keys = [this.keys.server(name), this.keys.servers, this.keys.lastSeen, this.keys.history(name)];
    if (server.cluster) keys.push(this.keys.cluster(server.cluster.name));
    const previous = await this.#batch.call(REPORT, keys, [
      JSON.stringify(server),
      JSON.stringify(host),
      collectedAt,
      build,
      at,
      now.getTime(),
      lower,
      HISTORY_LIMIT,
    ]);
    if (previous === null) return undefined;
    return { at, from: previous === '' ? null : String(previous), to: build };
  }

  /** Records a heartbeat: the server is online and was heard from now (even if a sweep had marked it offline). */
  async touch(name: string, now: Date): Promise<void> {
    await this.#batch.call(
      TOUCH,
      [this.keys.server(name), this.keys.lastSeen],
      [now.getTime(), name.toLowerCase(), now.toISOString()],
    );
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

  /** What the planner takes from the live fleet: every server's report, and the operators' pins. */
  async planInput(): Promise<{ inventory: Inventory; pins: InternetFacingPin[] }> {
    const [records, pins] = await Promise.all([this.list(), this.pins.all()]);
    return { inventory: { servers: records.map((record) => record.report) }, pins: [...pins.values()] };
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
    const result = await this.#batch.call(
      MARK_OFFLINE,
      [this.keys.server(name), this.keys.lastSeen],
      [name.toLowerCase(), session, staleBefore],
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
