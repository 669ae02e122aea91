import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@exrollout/agent';
import { type Fleet, generateFleet, parseScenario, type Scenario, startFleet } from '@exrollout/fleet-sim';
import {
  buildServer,
  connectRedis,
  deleteKeysWithPrefix,
  type ExrolloutServer,
  loadConfig,
} from '@exrollout/server';
import pino from 'pino';
import { listenForDemo } from './listen.js';
import type { DemoRedis } from './redis.js';

/** The demo's options that shape its server, fleet and rollout. */
export interface DemoParts {
  readonly servers?: number;
  readonly scenario?: string;
  readonly installSeconds?: number;
  readonly concurrency: number;
  readonly untilDone: boolean;
  readonly port: number;
}

const DEFAULT_SCENARIO = fileURLToPath(new URL('../../../../examples/demo-fleet.json', import.meta.url));
// The simulated hosts accept any package; the demo names one so that the policy is complete.
const DEMO_SHA256 = createHash('sha256').update('exrollout demo package').digest('hex');

/** The demo's server, and how to let go of its Redis connection and keys. */
export interface DemoServer {
  readonly server: ExrolloutServer;
  readonly url: string;
  readonly admin: string;
  /** The key prefix of everything the demo writes to Redis. */
  readonly prefix: string;
  /** Deletes the demo's keys (from a shared Redis) and closes the connection: only once nothing writes any more. */
  release(): Promise<void>;
}

/** Starts the demo's server on `redis`, under a key prefix of its own. */
export async function startDemoServer(
  redis: DemoRedis,
  options: DemoParts,
  say: (line: string) => void,
): Promise<DemoServer> {
  const prefix = `demo-${randomUUID().slice(0, 8)}:`;
  const config = loadConfig(
    { REDIS_URL: redis.url },
    {
      port: options.port,
      redisPrefix: prefix,
      logLevel: 'warn',
      heartbeatIntervalMs: 2000,
      offlineAfterMs: 6000,
      jobLockMs: 5000,
    },
  );
  const client = await connectRedis(config.redisUrl);
  const release = async () => {
    if (!redis.private) await deleteKeysWithPrefix(client, prefix);
    await client.quit();
  };
  try {
    const server = await buildServer({ config, logger: pino({ level: config.logLevel }), redis: client });
    const url = await listenForDemo(server.app, options.port, say);
    const admin = (await server.tokens.createOperatorToken('demo-admin', 'admin')).token;
    return { server, url, admin, prefix, release };
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
}

/** The fleet to simulate: a generated one, a scenario file, or examples/demo-fleet.json, with demo timings. */
export async function loadScenario(options: DemoParts): Promise<Scenario> {
  let scenario: Scenario;
  if (options.servers !== undefined && options.scenario === undefined)
    scenario = generateFleet({ count: options.servers, seed: 7 });
  else {
    const path = options.scenario ?? DEFAULT_SCENARIO;
    scenario = parseScenario(JSON.parse(await readFile(path, 'utf8')) as unknown, path);
  }
  const installSeconds = options.installSeconds ?? (options.untilDone ? 0.5 : 3);
  return {
    servers: scenario.servers.map((server) => ({
      ...server,
      behaviour: { installSeconds, stepSeconds: Math.min(0.2, installSeconds / 10), ...server.behaviour },
    })),
  };
}

/** Enrols and connects the simulated fleet, and waits until every agent has reported its inventory. */
export async function startDemoFleet(
  server: ExrolloutServer,
  url: string,
  admin: string,
  scenario: Scenario,
): Promise<Fleet> {
  const response = await fetch(`${url}/api/v1/enrolment-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ uses: scenario.servers.length }),
  });
  const { token } = (await response.json()) as { token: string };
  const fleet = await startFleet({
    serverUrl: url,
    scenario,
    enrolToken: token,
    logger: silentLogger,
    concurrency: 100,
    reconnect: { baseMs: 200, maxMs: 2000 },
  });
  await fleet.waitConnected(60_000);
  for (let i = 0; i < 200 && (await server.inventory.list()).length < scenario.servers.length; i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return fleet;
}

/** Creates the KB959241 rollout over the whole fleet and starts it. */
export async function createAndStart(server: ExrolloutServer, concurrency: number) {
  const policy = {
    concurrency,
    approvalRequired: false,
    packageSha256: { x64: DEMO_SHA256 },
    failureBudget: { overall: { percent: 20 } },
    offlineAgent: { waitSeconds: 30, afterWait: 'skip' },
  };
  const created = await server.engine.create({ update: 'KB959241', policy }, 'demo');
  await server.engine.act(created.id, 'start', 'demo');
  return created;
}
