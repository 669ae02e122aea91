import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@exrollout/agent';
import { type Fleet, startFleet } from '@exrollout/fleet-sim';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Balancer, startBalancer } from '../balancer.js';
import { createRollout, fleetFor, type Operator, rollout, sim } from '../fleet-helpers.js';
import { api, deletePrefix, eventually, startTestServer, type TestServer } from '../helpers.js';
import { createTokenWithCli, type ServerProcess, serverEnv, startServerProcess } from '../process.js';
import { freePort, type RedisProcess, startRedisProcess } from '../redis-process.js';
import { type AgentProcess, readJournal, startAgentProcess } from './agent-process.js';
import {
  type BuildHistory,
  buildsReported,
  expectCompletedOnce,
  expectRolledBackOnce,
  FaultTally,
  recordBuilds,
  TARGET_BUILD,
} from './invariants.js';

// kill -9 of servers and agents, Redis restarts and agents cut off for a while, with real processes: every server
// is installed once, every audit event is there, and the rollout completes.
const FROM_BUILD = '8.1.311.3';
const SEED = Number(process.env.EXR_CHAOS_SEED ?? 959241);
const tally = new FaultTally('process-faults');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(() => console.log(tally.line()));

const hubs = (count: number, installSeconds = 0.8, from = 1) =>
  Array.from({ length: count }, (_, i) =>
    sim(`HUB${String(i + from).padStart(2, '0')}`, ['HubTransport'], { behaviour: { installSeconds } }),
  );

interface Setup {
  readonly operator: Operator;
  readonly fleet: Fleet;
  readonly builds: BuildHistory;
}

async function setup(
  env: NodeJS.ProcessEnv,
  apiUrl: string,
  agentUrl: string,
  count: number,
): Promise<Setup> {
  const operator = { url: apiUrl, admin: await createTokenWithCli(env, 'admin') };
  const token = await api(operator, 'POST', '/api/v1/enrolment-tokens', operator.admin, { uses: count });
  const fleet = await startFleet({
    serverUrl: agentUrl,
    scenario: { servers: hubs(count) },
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

async function startRollout(operator: Operator, concurrency: number, waitSeconds = 60): Promise<string> {
  const id = await createRollout(operator, {
    concurrency,
    approvalRequired: false,
    offlineAgent: { waitSeconds, afterWait: 'fail' },
  });
  await api(operator, 'POST', `/api/v1/rollouts/${id}/start`, operator.admin, {});
  return id;
}

async function counted(operator: Operator, id: string, state: string): Promise<number> {
  return (await rollout(operator, id)).counts[state] ?? 0;
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

async function testServer(): Promise<TestServer> {
  const started = await startTestServer();
  cleanups.push(() => started.close());
  return started;
}

function completed(fleet: Fleet, kind = 'rollouts completed'): void {
  tally.add(kind);
  tally.add('servers verified', fleet.agents.length);
}

describe('process faults: nothing is lost when a process dies', () => {
  it('kill -9 of one of two instances mid-wave: the other carries on behind the load balancer', async () => {
    const env = withPrefix();
    const [a, b] = [await server(env, 'instance-a'), await server(env, 'instance-b')];
    const balancer: Balancer = await startBalancer([a.url, b.url].map((url) => Number(new URL(url).port)));
    cleanups.push(() => balancer.close());
    const { operator, fleet, builds } = await setup(env, b.url, balancer.url, 12);
    const id = await startRollout(operator, 4);
    await eventually(async () => (await counted(operator, id, 'succeeded')) >= 2, 20_000, 'two done');
    await a.kill9();
    tally.add('server kill -9');
    balancer.setBackends([Number(new URL(b.url).port)]);
    await expectCompletedOnce(operator, id, { agents: fleet.agents, builds });
    completed(fleet);
  });

  it('kill -9 of the only instance mid-wave, then a restart: the rollout goes on where it was', async () => {
    const env = withPrefix({ EXR_PORT: String(await freePort()) });
    const a = await server(env, 'instance-a');
    const { operator, fleet, builds } = await setup(env, a.url, a.url, 8);
    const id = await startRollout(operator, 3);
    await eventually(async () => (await counted(operator, id, 'running')) >= 2, 20_000, 'servers running');
    await a.kill9();
    tally.add('server kill -9');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server(env, 'instance-a-restarted');
    await expectCompletedOnce(operator, id, { agents: fleet.agents, builds });
    completed(fleet);
  });

  it('kill -9 of the only instance in the middle of a rollback, then a restart: the rollback goes on', async () => {
    const env = withPrefix({ EXR_PORT: String(await freePort()) });
    const a = await server(env, 'instance-a');
    const { operator, fleet, builds } = await setup(env, a.url, a.url, 6);
    const id = await startRollout(operator, 3);
    await expectCompletedOnce(operator, id, { agents: fleet.agents, builds });
    const started = await api(operator, 'POST', `/api/v1/rollouts/${id}/rollback`, operator.admin, {
      reason: 'durability test',
    });
    const rollbackId = String(started.body.rollbackId);
    await eventually(
      async () => (await counted(operator, rollbackId, 'running')) >= 2,
      20_000,
      'rolling back',
    );
    await a.kill9();
    tally.add('server kill -9');
    await server(env, 'instance-a-restarted');
    await expectRolledBackOnce(operator, id, FROM_BUILD, { agents: fleet.agents, builds });
    completed(fleet, 'rollouts completed then rolled back');
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
    const { operator, fleet, builds } = await setup(env, a.url, a.url, 8);
    const id = await startRollout(operator, 3);
    await eventually(async () => (await counted(operator, id, 'succeeded')) >= 2, 20_000, 'two done');
    await redis.restart();
    tally.add('redis restart');
    await expectCompletedOnce(operator, id, { agents: fleet.agents, builds });
    completed(fleet);
  });

  it('kill -9 of a real agent process during the install, then a restart: the install finishes once', async () => {
    const test = await testServer();
    const real = await realAgent(test, 'HUB00');
    const fleet = await fleetFor(test, { servers: hubs(4, 1) });
    cleanups.push(() => fleet.stop());
    await eventually(async () => (await test.inventory.list()).length === 5, 10_000, 'five reported');
    const builds = recordBuilds(fleet.agents);
    const id = await startRollout(test, 5);
    const installing = async () => {
      const run = (await rollout(test, id)).waves
        .flatMap((wave) => wave.servers)
        .find((s) => s.name === 'HUB00');
      return run?.step === 'install' && (run.progress?.percent ?? 0) >= 25;
    };
    await eventually(installing, 30_000, 'HUB00 installing');
    await real.first.kill9();
    tally.add('agent process kill -9');
    const installId = `${id}:HUB00:1:install:1`;
    expect((await readJournal(real.stateDir)).get(installId)).toMatchObject({
      state: 'started',
      attempts: 1,
    });

    const second = agentProcess(real.restartFlags);
    await expectCompletedOnce(test, id, { agents: fleet.agents, builds });
    completed(fleet);
    tally.add('servers verified');
    await expectInstalledOnceOnDisk(real.stateDir, id, installId);
    const finished = (logs: Record<string, unknown>[]) =>
      logs.filter((line) => line.msg === 'command finished' && line.step === 'install').length;
    expect([finished(real.first.logs), finished(second.logs)]).toEqual([0, 1]);
    // The host as the server saw it: one build change to the target, never back.
    expect(await buildsReported(test, 'HUB00')).toEqual([FROM_BUILD, TARGET_BUILD]);
  });

  it('30% of agent connections cut at random for 10-60 s mid-rollout: every server installed once', async () => {
    const test = await testServer();
    const fleet = await fleetFor(test, { servers: hubs(30, 2) });
    cleanups.push(() => fleet.stop());
    const builds = recordBuilds(fleet.agents);
    const cuts = cutSchedule(
      fleet.agents.map((agent) => agent.name),
      0.3,
    );
    console.log(
      `[chaos] seed ${SEED}: ${cuts.map((cut) => `${cut.name} at ${cut.atMs} ms for ${cut.forMs} ms`).join('; ')}`,
    );
    const id = await startRollout(test, 5, 120);
    await Promise.all(
      cuts.map(async (cut) => {
        await sleep(cut.atMs);
        const before = (await rollout(test, id)).waves.flatMap((wave) => wave.servers);
        await fleet.kill(cut.name);
        tally.add('agent connections cut');
        const state = before.find((run) => run.name === cut.name)?.state;
        tally.add(`cut while ${state}`);
        await sleep(cut.forMs);
        await fleet.reconnect(cut.name);
      }),
    );
    await expectCompletedOnce(test, id, { agents: fleet.agents, builds, timeoutMs: 90_000 });
    completed(fleet);
  });
});

/** Enrols and starts a real `exrollout-agent` process for a simulated Hub Transport server that installs in 5 s. */
async function realAgent(test: TestServer, name: string) {
  const dir = await mkdtemp(join(tmpdir(), 'exrollout-chaos-agent-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const simFile = join(dir, `${name}.json`);
  const stateDir = join(dir, 'state');
  const record = { name, site: 'HQ', build: FROM_BUILD, roles: ['HubTransport'] };
  await writeFile(
    simFile,
    JSON.stringify({ server: record, behaviour: { installSeconds: 5, stepSeconds: 0.05 } }),
  );
  const token = await api(test, 'POST', '/api/v1/enrolment-tokens', test.admin, { uses: 1 });
  const restartFlags = ['--driver', 'simulated', '--sim-file', simFile, '--state-dir', stateDir];
  const enrol = ['--server', test.url, '--enrol', String(token.body.token), '--name', name];
  const first = agentProcess([...enrol, ...restartFlags]);
  await eventually(async () => (await test.inventory.get(name)) !== undefined, 15_000, `${name} reported`);
  return { first, stateDir, restartFlags };
}

// The journal on disk: the install started twice (once per process) and finished once; the other steps ran once.
async function expectInstalledOnceOnDisk(stateDir: string, id: string, installId: string): Promise<void> {
  await eventually(async () => (await readJournal(stateDir)).get(installId)?.sent === true, 5000, 'sent');
  const journal = await readJournal(stateDir);
  const [name] = installId.split(':').slice(1, 2);
  expect([...journal.keys()].sort()).toEqual([
    `${id}:${name}:0:precheck:1`,
    installId,
    // Step 2, the restart, is passed over: this host's msiexec asked for none.
    `${id}:${name}:3:verify:1`,
  ]);
  for (const [commandId, entry] of journal)
    expect(entry, commandId).toMatchObject({
      state: 'done',
      attempts: commandId === installId ? 2 : 1,
      result: { outcome: 'succeeded' },
    });
}

function agentProcess(args: readonly string[]): AgentProcess {
  const started = startAgentProcess([...args, '--log-level', 'info']);
  cleanups.push(() => started.kill9());
  return started;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A share of the agents, picked with the seed, each cut off once: within the first 10 s, for 10 to 60 s.
function cutSchedule(names: readonly string[], share: number) {
  const random = mulberry32(SEED);
  const pool = [...names];
  const count = Math.round(names.length * share);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  return pool.slice(0, count).map((name) => ({
    name,
    atMs: Math.round(random() * 10_000),
    forMs: Math.round(10_000 + random() * 50_000),
  }));
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
