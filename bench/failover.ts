// Issue 19: a rollout of 1,000 simulated servers (200 with --quick) against a primary, a replica and three
// Sentinels, once without a fault, once with a SENTINEL FAILOVER and once with a kill -9 of the primary, each
// halfway through: the extra makespan over the run without a fault, and every outcome checked against the hosts.
import { randomUUID } from 'node:crypto';
import type { Fleet } from '@exrollout/fleet-sim';
import { allEvents, startEnrolledFleet, waveScenario } from '../packages/server/test/load-fleet.js';
import {
  createTokenWithCli,
  type ServerProcess,
  serverEnv,
  startServerProcess,
} from '../packages/server/test/process.js';
import { startSentinelSet } from '../packages/server/test/sentinel-process.js';
import { call } from './lib/server.js';
import type { BenchOptions, BenchResult } from './lib/types.js';
import { round } from './lib/types.js';

const T = 2;
const CONCURRENCY = 50;
const TARGET = '8.1.340.1';
const SHA = 'a'.repeat(64);
/**
 * A fault may add at most this much to the makespan, in seconds: the Sentinels here notice a dead primary after
 * 1 s and fail over within a few; the rest is reconnecting and the engine's jobs retrying (500 ms, doubling).
 */
const EXTRA_SECONDS_TARGET = 30;

type Fault = 'none' | 'failover' | 'kill -9 of the primary';

interface Run {
  readonly state: string;
  readonly makespan: number;
  readonly counts: Record<string, number>;
  /** Servers whose outcome disagrees with their host: succeeded off the target build, or on it but not succeeded. */
  readonly wrong: string[];
  /** Hosts with the update installed more than once. */
  readonly installedTwice: string[];
}

/** The failover runs, each against a Sentinel set of its own. */
export async function failoverBench(options: BenchOptions): Promise<BenchResult[]> {
  const size = options.quick ? 200 : 1000;
  const clean = await failoverRun(size, 'none');
  const results: BenchResult[] = [];
  for (const fault of ['failover', 'kill -9 of the primary'] as const) {
    const run = await failoverRun(size, fault);
    const extra = run.makespan - clean.makespan;
    results.push({
      name: `${fault} mid-rollout, ${size.toLocaleString('en-US')} servers (extra makespan)`,
      figure: round(extra, 2),
      baseline: round(clean.makespan, 2),
      ratio: round(run.makespan / clean.makespan, 3),
      unit: 's',
      target: EXTRA_SECONDS_TARGET,
      pass:
        run.state === 'completed' &&
        run.wrong.length === 0 &&
        run.installedTwice.length === 0 &&
        extra < EXTRA_SECONDS_TARGET,
      details: {
        servers: size,
        concurrency: CONCURRENCY,
        installSeconds: T,
        baselineIs: 'the makespan of the same rollout without a fault, in this run',
        makespan: round(run.makespan, 2),
        state: run.state,
        counts: run.counts,
        wrongOutcomes: run.wrong.length,
        wrongFirst: run.wrong.slice(0, 20),
        installedTwice: run.installedTwice.slice(0, 20),
        withoutFault: clean,
      },
    });
  }
  return results;
}

async function failoverRun(size: number, fault: Fault): Promise<Run> {
  const set = await startSentinelSet();
  let server: ServerProcess | undefined;
  let fleet: Fleet | undefined;
  try {
    const env = serverEnv(`bench-${randomUUID()}:`, {
      REDIS_URL: 'redis://127.0.0.1:1',
      EXR_REDIS_SENTINELS: set.sentinels,
      EXR_REDIS_MASTER_NAME: set.masterName,
      EXR_HEARTBEAT_INTERVAL_MS: '15000',
      EXR_OFFLINE_AFTER_MS: '45000',
    });
    const admin = await createTokenWithCli(env, 'admin');
    server = await startServerProcess(env, `bench-failover-${randomUUID().slice(0, 8)}`);
    const operator = { url: server.url, admin };
    fleet = await startEnrolledFleet(
      operator,
      waveScenario(size, () => T),
      {},
      Math.max(60_000, size * 30),
    );
    const created = await call(operator, 'POST', '/api/v1/rollouts', admin, {
      policy: {
        packageSha256: { x64: SHA },
        concurrency: CONCURRENCY,
        approvalRequired: false,
        soakSeconds: 0,
      },
    });
    if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
    const id = String(created.body.id);
    await call(operator, 'POST', `/api/v1/rollouts/${id}/start`, admin);
    if (fault !== 'none') {
      await until(async () => ((await view(operator, id)).counts.succeeded ?? 0) >= size / 2, 600_000);
      if (fault === 'failover') await set.failover();
      else await set.killPrimary();
    }
    await until(async () => !['created', 'running'].includes((await view(operator, id)).state), 900_000);
    const finished = await view(operator, id);
    const list = await allEvents(operator, id);
    const at = (type: string) => Date.parse(list.find((event) => event.type === type)?.at ?? '');
    return {
      state: finished.state,
      makespan: (at('rollout.completed') - at('rollout.started')) / 1000,
      counts: finished.counts,
      ...checkHosts(fleet, finished),
    };
  } finally {
    await fleet?.stop();
    await server?.stop();
    await set.stop();
  }
}

interface View {
  readonly state: string;
  readonly counts: Record<string, number>;
  readonly waves: {
    readonly servers: {
      readonly name: string;
      readonly state: string;
      readonly error?: { readonly code: string };
    }[];
  }[];
}

async function view(operator: { url: string; admin: string }, id: string): Promise<View> {
  return (await call(operator, 'GET', `/api/v1/rollouts/${id}`, operator.admin)).body as unknown as View;
}

function checkHosts(fleet: Fleet, finished: View): Pick<Run, 'wrong' | 'installedTwice'> {
  const wrong: string[] = [];
  const installedTwice: string[] = [];
  for (const server of finished.waves.flatMap((wave) => wave.servers)) {
    const host = fleet.agent(server.name).driver.state();
    const onTarget = host.server.build === TARGET;
    if ((server.state === 'succeeded') !== onTarget)
      wrong.push(`${server.name}: ${server.state} on ${host.server.build}`);
    if (host.installedUpdates.length > 1) installedTwice.push(server.name);
  }
  return { wrong, installedTwice };
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A call caught in the switch may answer 500 once: that is not the end of the wait.
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
