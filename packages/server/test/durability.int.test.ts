import { randomUUID } from 'node:crypto';
import { silentLogger } from '@exrollout/agent';
import { type Fleet, startFleet } from '@exrollout/fleet-sim';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type Balancer, startBalancer } from './balancer.js';
import { SHA, sim } from './fleet-helpers.js';
import { deletePrefix, eventually } from './helpers.js';
import { createTokenWithCli, type ServerProcess, serverEnv, startServerProcess } from './process.js';
import { freePort, type RedisProcess, startRedisProcess } from './redis-process.js';

// kill -9 and restarts with real processes: the rollout goes on, no server is installed twice, no result is lost.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

interface Setup {
  readonly env: NodeJS.ProcessEnv;
  readonly admin: string;
  readonly fleet: Fleet;
}

const hubs = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    sim(`HUB${String(i + 1).padStart(2, '0')}`, ['HubTransport'], { behaviour: { installSeconds: 0.8 } }),
  );

async function call(url: string, admin: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await response.json()) as Record<string, unknown> & {
    state: string;
    counts: Record<string, number>;
  };
}

async function setup(
  env: NodeJS.ProcessEnv,
  apiUrl: string,
  agentUrl: string,
  count: number,
): Promise<Setup> {
  const admin = await createTokenWithCli(env, 'admin');
  const token = (await call(apiUrl, admin, 'POST', '/api/v1/enrolment-tokens', { uses: count }))
    .token as string;
  const fleet = await startFleet({
    serverUrl: agentUrl,
    scenario: { servers: hubs(count) },
    enrolToken: token,
    logger: silentLogger,
    concurrency: 20,
    reconnect: { baseMs: 50, maxMs: 400 },
  });
  cleanups.push(() => fleet.stop());
  await fleet.waitConnected(15_000);
  await eventually(
    async () => ((await call(apiUrl, admin, 'GET', '/api/v1/servers')).total as number) === count,
    10_000,
    'all reported',
  );
  return { env, admin, fleet };
}

async function startRollout(url: string, admin: string, concurrency: number): Promise<string> {
  const created = await call(url, admin, 'POST', '/api/v1/rollouts', {
    policy: {
      packageSha256: { x64: SHA },
      concurrency,
      approvalRequired: false,
      offlineAgent: { waitSeconds: 60, afterWait: 'fail' },
    },
  });
  await call(url, admin, 'POST', `/api/v1/rollouts/${created.id}/start`, {});
  return String(created.id);
}

async function expectExactlyOnce(
  url: string,
  admin: string,
  id: string,
  fleet: Fleet,
  count: number,
): Promise<void> {
  await eventually(
    async () => (await call(url, admin, 'GET', `/api/v1/rollouts/${id}`)).state === 'completed',
    60_000,
    'rollout completed',
  );
  const view = await call(url, admin, 'GET', `/api/v1/rollouts/${id}`);
  expect(view.counts).toMatchObject({ succeeded: count, failed: 0, skipped: 0 });
  for (const agent of fleet.agents) expect(agent.driver.state().installedUpdates, agent.name).toHaveLength(1);
  const events = (await call(url, admin, 'GET', `/api/v1/rollouts/${id}/events`)).events as {
    type: string;
    server?: string;
  }[];
  const succeeded = events.filter((event) => event.type === 'server.succeeded').map((event) => event.server);
  expect(succeeded.sort()).toEqual(fleet.agents.map((agent) => agent.name).sort());
}

function withPrefix(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const prefix = `test-${randomUUID()}:`;
  const env = serverEnv(prefix, { EXR_JOB_LOCK_MS: '2000', ...extra });
  cleanups.push(async () => {
    const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await deletePrefix(redis, prefix);
    await redis.quit();
  });
  return env;
}

async function server(env: NodeJS.ProcessEnv, name: string): Promise<ServerProcess> {
  const started = await startServerProcess(env, name);
  cleanups.push(() => started.kill9());
  return started;
}

describe('nothing is lost when a process dies', { timeout: 90_000 }, () => {
  it('kill -9 of one of two instances mid-wave: the other carries on behind the load balancer', async () => {
    const env = withPrefix();
    const [a, b] = [await server(env, 'instance-a'), await server(env, 'instance-b')];
    const balancer: Balancer = await startBalancer([a.url, b.url].map((url) => Number(new URL(url).port)));
    cleanups.push(() => balancer.close());
    const { admin, fleet } = await setup(env, b.url, balancer.url, 12);
    const id = await startRollout(b.url, admin, 4);
    await eventually(
      async () => ((await call(b.url, admin, 'GET', `/api/v1/rollouts/${id}`)).counts.succeeded ?? 0) >= 2,
      20_000,
      'two done',
    );
    await a.kill9();
    balancer.setBackends([Number(new URL(b.url).port)]);
    await expectExactlyOnce(b.url, admin, id, fleet, 12);
  });

  it('kill -9 of the only instance mid-wave, then a restart: the rollout goes on where it was', async () => {
    const port = await freePort();
    const env = withPrefix({ EXR_PORT: String(port) });
    let a = await server(env, 'instance-a');
    const { admin, fleet } = await setup(env, a.url, a.url, 8);
    const id = await startRollout(a.url, admin, 3);
    await eventually(
      async () => ((await call(a.url, admin, 'GET', `/api/v1/rollouts/${id}`)).counts.running ?? 0) >= 2,
      20_000,
      'servers running',
    );
    await a.kill9();
    await new Promise((resolve) => setTimeout(resolve, 500));
    a = await server(env, 'instance-a-restarted');
    await expectExactlyOnce(a.url, admin, id, fleet, 8);
  });

  it('kill -9 of the only instance in the middle of a rollback, then a restart: the rollback goes on', async () => {
    const port = await freePort();
    const env = withPrefix({ EXR_PORT: String(port) });
    let a = await server(env, 'instance-a');
    const { admin, fleet } = await setup(env, a.url, a.url, 6);
    const id = await startRollout(a.url, admin, 3);
    await eventually(
      async () => (await call(a.url, admin, 'GET', `/api/v1/rollouts/${id}`)).state === 'completed',
      60_000,
      'rollout completed',
    );
    const started = await call(a.url, admin, 'POST', `/api/v1/rollouts/${id}/rollback`, {
      reason: 'durability test',
    });
    await eventually(
      async () =>
        ((await call(a.url, admin, 'GET', `/api/v1/rollouts/${started.rollbackId}`)).counts.running ?? 0) >=
        2,
      20_000,
      'rollback running',
    );
    await a.kill9();
    a = await server(env, 'instance-a-restarted');
    await eventually(
      async () => (await call(a.url, admin, 'GET', `/api/v1/rollouts/${id}`)).state === 'rolled-back',
      60_000,
      'rolled back',
    );
    for (const agent of fleet.agents) {
      expect(agent.driver.state().server.build, agent.name).toBe('8.1.311.3');
      expect(agent.driver.state().installedUpdates, agent.name).toHaveLength(0);
    }
  });

  it('Redis restarted (AOF on) mid-rollout: the rollout goes on', async () => {
    let redis: RedisProcess;
    try {
      redis = await startRedisProcess();
    } catch (error) {
      throw new Error(
        `this test needs redis-server on the PATH (.ci/run installs it): ${(error as Error).message}`,
      );
    }
    cleanups.push(() => redis.stop());
    const env = withPrefix({ REDIS_URL: redis.url });
    const a = await server(env, 'instance-a');
    const { admin, fleet } = await setup(env, a.url, a.url, 8);
    const id = await startRollout(a.url, admin, 3);
    await eventually(
      async () => ((await call(a.url, admin, 'GET', `/api/v1/rollouts/${id}`)).counts.succeeded ?? 0) >= 2,
      20_000,
      'two done',
    );
    await redis.restart();
    await expectExactlyOnce(a.url, admin, id, fleet, 8);
  });
});
