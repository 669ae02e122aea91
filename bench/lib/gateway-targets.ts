import { AGENT_VERSION, gatewayUrl } from '@exrollout/agent';
import {
  type AgentMessage,
  decodeAgentMessage,
  encodeMessage,
  MAX_FRAME_CHARS,
  PROTOCOL_VERSION,
} from '@exrollout/core';
import { generateFleet } from '@exrollout/fleet-sim';
import { connectRedis, redisKeys, TokenStore } from '@exrollout/server';
import { type Child, forkChild } from './gateway-children.js';
import type { AgentSpec, BareCounts, FromBare } from './gateway-ipc.js';
import { startBenchRedis } from './redis.js';
import { type BenchServer, call, startBenchServer } from './server.js';

/** Messages a server has processed since it started, by kind. */
export interface Processed {
  readonly hello: number;
  readonly inventory: number;
  readonly heartbeat: number;
}

/** A server the load generators connect to: the exrollout server, or the bare `ws` baseline. */
export interface Target {
  readonly label: 'exrollout' | 'bare ws';
  readonly wsUrl: string;
  readonly pid: number;
  /** Other processes doing the target's work (the exrollout server's Redis), watched alongside it. */
  readonly helpers: Readonly<Record<string, number>>;
  processed(): Promise<Processed>;
  /** What the target itself says about the fleet once it has connected (the exrollout server's REST view). */
  inspect(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The frames of `count` agents of a generated fleet (seed 7): HELLO and INVENTORY, valid for the real decoder. */
export function fleetFrames(count: number): Omit<AgentSpec, 'credential'>[] {
  const collectedAt = new Date().toISOString();
  return generateFleet({ count, seed: 7 }).servers.map(({ host, behaviour: _none, ...server }) => {
    const hello: AgentMessage<'HELLO'> = {
      version: PROTOCOL_VERSION,
      type: 'HELLO',
      payload: { name: server.name, agentVersion: AGENT_VERSION, driver: 'simulated' },
    };
    const inventory: AgentMessage<'INVENTORY'> = {
      version: PROTOCOL_VERSION,
      type: 'INVENTORY',
      payload: { server, host: { systemDriveFreeMb: 20_480, ...host }, collectedAt },
    };
    return { name: server.name, hello: checked(hello), inventory: checked(inventory) };
  });
}

/** A HEARTBEAT frame as an agent sends it. */
export function heartbeatFrame(): string {
  return checked({
    version: PROTOCOL_VERSION,
    type: 'HEARTBEAT',
    payload: { sentAt: new Date().toISOString() },
  });
}

function checked(message: AgentMessage): string {
  const text = encodeMessage(message);
  const decoded = decodeAgentMessage(text);
  if (!decoded.ok) throw new Error(`bench frame refused by the decoder: ${decoded.error}`);
  return text;
}

/**
 * A real `exrollout-server` process on a private Redis (whose command counters say what it processed), with
 * `names` enrolled beforehand through its token store; returns the target and each agent's credential.
 */
export async function startExrolloutTarget(
  names: readonly string[],
  serverEnv: Record<string, string>,
): Promise<{ target: Target; credentials: Map<string, string> }> {
  const redis = await startBenchRedis();
  let server: BenchServer | undefined;
  try {
    server = await startBenchServer(redis.url, serverEnv);
    const credentials = await enrol(redis.url, server.prefix, names);
    const started = server;
    const processed = async (): Promise<Processed> => {
      const calls = await redis.commandCalls();
      const count = (command: string) => calls[command] ?? 0;
      // Each HELLO (connected()) makes one HSETNX, each INVENTORY (report()) one HGET of the previous build, and
      // each of the three one HSET, heartbeats (touch()) included: true of a MULTI and of a Lua script alike.
      const hello = count('hsetnx');
      const inventory = count('hget');
      const heartbeat = count('hset') - inventory - hello;
      return { hello, inventory, heartbeat };
    };
    const target: Target = {
      label: 'exrollout',
      wsUrl: gatewayUrl(started.url),
      pid: pidOf(started.process.child.pid),
      helpers: { redis: redis.pid },
      processed,
      inspect: async () => {
        const list = await call(started, 'GET', '/api/v1/servers', started.admin);
        const servers = (list.body.servers ?? []) as { online?: boolean }[];
        return { listed: list.body.total, online: servers.filter((s) => s.online === true).length };
      },
      stop: async () => {
        await started.stop();
        await redis.stop();
      },
    };
    return { target, credentials };
  } catch (error) {
    await server?.stop();
    await redis.stop();
    throw error;
  }
}

async function enrol(
  redisUrl: string,
  prefix: string,
  names: readonly string[],
): Promise<Map<string, string>> {
  const redis = await connectRedis(redisUrl);
  try {
    const tokens = new TokenStore(redis, redisKeys(prefix));
    const { token } = await tokens.createEnrolmentToken({
      ttlSeconds: 3600,
      uses: names.length,
      reenrol: false,
      createdBy: 'gateway-bench',
    });
    const credentials = new Map<string, string>();
    for (let from = 0; from < names.length; from += 500) {
      const batch = names.slice(from, from + 500);
      const issued = await Promise.all(batch.map((name) => tokens.enrol(token, name)));
      for (const [i, name] of batch.entries()) credentials.set(name, issued[i]?.credential ?? '');
    }
    return credentials;
  } finally {
    await redis.quit();
  }
}

/** The bare `ws` server (a built gateway-bare.ts) in its own process. */
export async function startBareTarget(script: string): Promise<Target> {
  const welcome = JSON.stringify({
    version: PROTOCOL_VERSION,
    type: 'WELCOME',
    payload: { name: 'bare', serverVersion: '0', heartbeatIntervalMs: 15_000, inventoryIntervalMs: 300_000 },
  });
  const child: Child<never, FromBare> = forkChild(script, [String(MAX_FRAME_CHARS * 2), welcome]);
  try {
    const { url } = await child.next('listening', 10_000);
    let counts: BareCounts = {};
    child.listen((message) => {
      if (message.type === 'counts') counts = message.counts;
    });
    return {
      label: 'bare ws',
      wsUrl: url,
      pid: child.pid,
      helpers: {},
      processed: async () => {
        return {
          hello: counts.HELLO ?? 0,
          inventory: counts.INVENTORY ?? 0,
          heartbeat: counts.HEARTBEAT ?? 0,
        };
      },
      inspect: async () => ({}),
      stop: () => child.stop(),
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

function pidOf(pid: number | undefined): number {
  if (pid === undefined) throw new Error('server process has no pid');
  return pid;
}
