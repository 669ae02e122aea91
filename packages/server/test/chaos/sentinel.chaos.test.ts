import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { silentLogger } from '@exrollout/agent';
import { type Fleet, startFleet } from '@exrollout/fleet-sim';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRollout, type Operator, rollout, sim } from '../fleet-helpers.js';
import { api, eventually } from '../helpers.js';
import { createTokenWithCli, type ServerProcess, serverEnv, startServerProcess } from '../process.js';
import { type SentinelSet, startSentinelSet } from '../sentinel-process.js';
import { type BuildHistory, expectCompletedOnce, FaultTally, recordBuilds } from './invariants.js';

// Issue 19 item 1: a primary, a replica and three Sentinels, each a real process, and real server processes that
// find the primary through the Sentinels.
const tally = new FaultTally('sentinel');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(() => console.log(tally.line()));

async function sentinelSet(): Promise<SentinelSet> {
  const set = await startSentinelSet().catch((error: Error) => {
    throw new Error(
      `this test needs redis-server on the PATH (it runs Sentinel as redis-server --sentinel): ${error.message}`,
    );
  });
  cleanups.push(() => set.stop());
  return set;
}

interface Instance {
  readonly server: ServerProcess;
  readonly env: NodeJS.ProcessEnv;
}

async function instance(set: SentinelSet, extra: Record<string, string> = {}): Promise<Instance> {
  const env = serverEnv(`test-${randomUUID()}:`, {
    // Without Sentinel the server would stay on the demoted primary: REDIS_URL names no node of the set.
    REDIS_URL: 'redis://127.0.0.1:1',
    EXR_REDIS_SENTINELS: set.sentinels,
    EXR_REDIS_MASTER_NAME: set.masterName,
    EXR_JOB_LOCK_MS: '2000',
    ...extra,
  });
  const started = await startServerProcess(env, `sentinel-${randomUUID().slice(0, 8)}`);
  cleanups.push(() => started.kill9());
  return { server: started, env };
}

async function fleetOf(
  { server, env }: Instance,
  count: number,
): Promise<{ operator: Operator; fleet: Fleet; builds: BuildHistory }> {
  const operator = { url: server.url, admin: await createTokenWithCli(env, 'admin') };
  const token = await api(operator, 'POST', '/api/v1/enrolment-tokens', operator.admin, { uses: count });
  const servers = Array.from({ length: count }, (_, i) =>
    sim(`HUB${String(i + 1).padStart(2, '0')}`, ['HubTransport'], { behaviour: { installSeconds: 0.8 } }),
  );
  const fleet = await startFleet({
    serverUrl: server.url,
    scenario: { servers },
    enrolToken: String(token.body.token),
    logger: silentLogger,
    concurrency: 20,
    reconnect: { baseMs: 50, maxMs: 400 },
  });
  cleanups.push(() => fleet.stop());
  await fleet.waitConnected(15_000);
  await eventually(
    async () => (await api(operator, 'GET', '/api/v1/servers', operator.admin)).body.total === count,
    10_000,
    'all reported',
  );
  const builds = recordBuilds(fleet.agents);
  cleanups.push(async () => builds.stop());
  return { operator, fleet, builds };
}

async function startRollout(operator: Operator): Promise<string> {
  const id = await createRollout(operator, {
    concurrency: 3,
    approvalRequired: false,
    offlineAgent: { waitSeconds: 60, afterWait: 'fail' },
  });
  await api(operator, 'POST', `/api/v1/rollouts/${id}/start`, operator.admin, {});
  return id;
}

const ready = async (server: ServerProcess) => (await fetch(`${server.url}/readyz`)).status;

describe('Redis Sentinel: the instances follow the primary', () => {
  for (const fault of ['failover', 'kill -9 of the primary'] as const) {
    it(`${fault} mid-rollout: the instance writes to the new primary and the rollout completes`, async () => {
      const set = await sentinelSet();
      const started = await instance(set);
      const { server } = started;
      const { operator, fleet, builds } = await fleetOf(started, 8);
      const id = await startRollout(operator);
      await eventually(
        async () => ((await rollout(operator, id)).counts.succeeded ?? 0) >= 2,
        20_000,
        'two done',
      );
      const before = await set.primaryPort();
      if (fault === 'failover') await set.failover();
      else await set.killPrimary();
      expect(await set.primaryPort()).not.toBe(before);
      tally.add(fault);
      await expectCompletedOnce(operator, id, { agents: fleet.agents, builds });
      // An operator's write after the switch lands on the new primary, and the instance says it is ready.
      const paused = await api(operator, 'POST', '/api/v1/enrolment-tokens', operator.admin, { uses: 1 });
      expect(paused.status).toBe(201);
      await eventually(async () => (await ready(server)) === 200, 10_000, 'ready again');
      tally.add('servers verified', fleet.agents.length);
    });
  }

  it('an instance pointed at a replica is not ready: its writes are refused with READONLY', async () => {
    const set = await sentinelSet();
    const replica = await set.replicaPort();
    const { server } = await instance(set, {
      REDIS_URL: `redis://127.0.0.1:${replica}`,
      EXR_REDIS_SENTINELS: '',
      EXR_REDIS_MASTER_NAME: '',
    });
    const body = (await (await fetch(`${server.url}/readyz`)).json()) as { ready: boolean; reason: string };
    expect(body).toMatchObject({ ready: false });
    expect(body.reason).toMatch(/READONLY/);
    expect(await ready(server)).toBe(503);
  });

  it('readiness answers 503 while Redis cannot be reached, and SIGTERM still stops the instance', async () => {
    const set = await sentinelSet();
    const started = await instance(set, { EXR_SHUTDOWN_TIMEOUT_MS: '3000' });
    const { server } = started;
    await fleetOf(started, 3);
    expect(await ready(server)).toBe(200);
    await set.stopData();
    tally.add('redis down');
    await eventually(async () => (await ready(server)) === 503, 10_000, 'not ready');
    // Liveness stays: the process is fine, its Redis is not.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const body = (await (await fetch(`${server.url}/readyz`)).json()) as { ready: boolean; reason: string };
    expect(body).toMatchObject({ ready: false });
    expect(body.reason).toMatch(/Redis/);
    server.child.kill('SIGTERM');
    // Bounded by the test's own timeout: before the fix, the process was still running after 60 s.
    const [code] = await Promise.race([
      once(server.child, 'exit'),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('still running 30 s after SIGTERM')), 30_000),
      ),
    ]);
    expect(code).not.toBeNull();
  });
});
