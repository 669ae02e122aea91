import type { CommandChannel, CommandPayload } from '@exrollout/agent';
import type { Fleet, Scenario } from '@exrollout/fleet-sim';
import {
  type AuditEvent,
  allEvents,
  startEnrolledFleet,
  waveScenario,
} from '../packages/server/test/load-fleet.js';
import { type BenchServer, call, startBenchServer } from './lib/server.js';
import { type BenchOptions, type BenchResult, quantile, round } from './lib/types.js';

/** Simulated install time of every server, in seconds (issue 7: T = 2 s). */
const T = 2;
const CONCURRENCY = 50;
const EFFICIENCY_TARGET = 1.05;
const LATENCY_P99_TARGET_MS = 50;
const SHA = 'a'.repeat(64);

/** Scheduler efficiency at 1,000 servers (with dispatch latency), and at 10,000 unless `--quick`. */
export async function schedulerBench(options: BenchOptions): Promise<BenchResult[]> {
  const results = await schedulerRun(options, 1000);
  if (!options.quick) results.push(...(await schedulerRun(options, 10_000)));
  return results;
}

/** Scheduler efficiency (measured / ideal makespan) and dispatch latency for `size` servers, one server process. */
async function schedulerRun(options: BenchOptions, size: number): Promise<BenchResult[]> {
  // 2% Internet-facing CAS, 8% internal CAS, the rest Hub Transport (20, 80 and 900 of 1,000), every install T.
  const scenario = waveScenario(size, () => T);
  const server = await startBenchServer(options.redisUrl, {
    EXR_HEARTBEAT_INTERVAL_MS: '15000',
    EXR_OFFLINE_AFTER_MS: '45000',
  });
  let fleet: Fleet | undefined;
  try {
    const received = new Map<string, number>();
    fleet = await startScenarioFleet(server, scenario, received);
    const created = await call(server, 'POST', '/api/v1/rollouts', server.admin, {
      policy: {
        packageSha256: { x64: SHA },
        concurrency: CONCURRENCY,
        approvalRequired: false,
        soakSeconds: 0,
      },
    });
    if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
    const id = String(created.body.id);
    const waves = (created.body.waves as { servers: unknown[] }[]).map((wave) => wave.servers.length);
    const ideal = waves.reduce((sum, n) => sum + Math.ceil(n / CONCURRENCY) * T, 0);
    const started = await call(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin);
    if (started.status !== 200) throw new Error(`start failed: ${JSON.stringify(started.body)}`);
    // Once a second: the full view of 10,000 servers is not free, and the makespan comes from the audit trail.
    const state = await waitFinished(server, id, Math.max(120_000, ideal * 4000));
    const list = await allEvents(server, id);
    const at = (type: string) => Date.parse(list.find((event) => event.type === type)?.at ?? '');
    const makespan = (at('rollout.completed') - at('rollout.started')) / 1000;
    const latencies = dispatchLatencies(list, received, waves);
    const counts = countTypes(list);
    const common = {
      servers: scenario.servers.length,
      waves,
      concurrency: CONCURRENCY,
      installSeconds: T,
      state,
    };
    const label = size.toLocaleString('en-US');
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    return [
      {
        name: `scheduler ${label} servers (makespan)`,
        figure: round(makespan, 2),
        baseline: ideal,
        ratio: round(makespan / ideal, 3),
        unit: 's',
        target: EFFICIENCY_TARGET,
        targetIsRatio: true,
        pass: state === 'completed' && makespan / ideal <= EFFICIENCY_TARGET,
        details: {
          ...common,
          idealSeconds: ideal,
          succeeded: counts['server.succeeded'] ?? 0,
          serverSeconds: serverDurations(list),
          stepGapsMs: stepGaps(list, received),
          counts,
        },
      },
      {
        name: size === 1000 ? 'dispatch latency p99' : `dispatch latency p99 (${label} servers)`,
        figure: round(p99, 1),
        baseline: round(p50, 1),
        ratio: round(p99 / Math.max(p50, 0.001), 2),
        unit: 'ms',
        target: LATENCY_P99_TARGET_MS,
        pass: p99 < LATENCY_P99_TARGET_MS,
        details: {
          ...common,
          baselineIs: 'p50 of the same run',
          samples: latencies.length,
          p50,
          p90: quantile(latencies, 0.9),
          p99,
          max: Math.max(...latencies),
          definition:
            "server.succeeded (audit, server's clock) -> first COMMAND of the next server in that slot, stamped on receipt by the agent (same host clock, ms)",
        },
      },
    ];
  } finally {
    await fleet?.stop();
    await server.stop();
  }
}

/** The enrolled fleet, each agent stamping when each COMMAND reaches it (for the dispatch latency). */
async function startScenarioFleet(
  server: BenchServer,
  scenario: Scenario,
  received: Map<string, number>,
): Promise<Fleet> {
  const fleet = await startEnrolledFleet(
    server,
    scenario,
    {},
    Math.max(60_000, scenario.servers.length * 30),
  );
  for (const agent of fleet.agents) {
    const executor = agent.executor;
    const original = executor.onCommand.bind(executor);
    executor.onCommand = (command: CommandPayload, channel: CommandChannel) => {
      if (!received.has(command.commandId)) received.set(command.commandId, Date.now());
      original(command, channel);
    };
  }
  return fleet;
}

async function waitFinished(server: BenchServer, id: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = String((await call(server, 'GET', `/api/v1/rollouts/${id}`, server.admin)).body.state);
    if (!['created', 'running'].includes(state)) return state;
    if (Date.now() > deadline) throw new Error(`rollout finished: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * Pairs each freed slot with the server that took it: within a wave the k-th `server.succeeded` frees the slot
 * of the (concurrency + k)-th server to start; the first servers of a later wave take the slots the previous
 * wave's last success freed. Wave 0's first servers (started by the operator) are left out.
 */
function dispatchLatencies(
  list: readonly AuditEvent[],
  received: Map<string, number>,
  waves: number[],
): number[] {
  const firstCommand = new Map<string, number>();
  for (const [commandId, time] of received) {
    const [, server, index] = commandId.split(':');
    if (server === undefined || index !== '0') continue;
    const key = server.toLowerCase();
    firstCommand.set(key, Math.min(firstCommand.get(key) ?? Number.POSITIVE_INFINITY, time));
  }
  const succeeded = list
    .filter((event) => event.type === 'server.succeeded' && event.server)
    .map((event) => ({ server: String(event.server).toLowerCase(), at: Date.parse(event.at) }));
  const starts = [...firstCommand.entries()]
    .map(([server, at]) => ({ server, at }))
    .sort((a, b) => a.at - b.at);
  const latencies: number[] = [];
  let offset = 0;
  let previousWaveEnd: number | undefined;
  for (const size of waves) {
    // Servers in wave order of time: the wave's servers are the next `size` to start.
    const waveStarts = starts.slice(offset, offset + size);
    const names = new Set(waveStarts.map((s) => s.server));
    const waveSucceeded = succeeded.filter((s) => names.has(s.server)).sort((a, b) => a.at - b.at);
    waveStarts.forEach((start, i) => {
      const trigger = i < CONCURRENCY ? previousWaveEnd : waveSucceeded[i - CONCURRENCY]?.at;
      if (trigger !== undefined) latencies.push(start.at - trigger);
    });
    previousWaveEnd = waveSucceeded[waveSucceeded.length - 1]?.at;
    offset += size;
  }
  return latencies;
}

/** How long each server took, server.started to server.succeeded (T plus the engine's per-step round trips). */
function serverDurations(list: readonly AuditEvent[]): Record<string, number> {
  const startedAt = new Map<string, number>();
  const durations: number[] = [];
  for (const event of list) {
    if (!event.server) continue;
    if (event.type === 'server.started') startedAt.set(event.server, Date.parse(event.at));
    const start = startedAt.get(event.server);
    if (event.type === 'server.succeeded' && start !== undefined)
      durations.push((Date.parse(event.at) - start) / 1000);
  }
  const mean = durations.reduce((sum, d) => sum + d, 0) / Math.max(1, durations.length);
  return {
    mean: round(mean, 3),
    p50: quantile(durations, 0.5),
    p99: quantile(durations, 0.99),
    max: Math.max(...durations),
    meanOverheadMs: round((mean - T) * 1000, 1),
  };
}

function countTypes(list: readonly AuditEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of list) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return counts;
}

/**
 * Where a server's time goes, per step, as quantiles in ms: `deliver` from the step being issued (the server's
 * start, or the previous step's success) to its COMMAND reaching the agent; `ack` from issue to the step-started
 * event; `finish` from step-started to step-succeeded (the step's own time plus the result's way back).
 */
function stepGaps(list: readonly AuditEvent[], received: Map<string, number>): Record<string, unknown> {
  const issuedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const gaps: Record<string, number[]> = {};
  const add = (key: string, value: number) => {
    const bucket = gaps[key] ?? [];
    bucket.push(value);
    gaps[key] = bucket;
  };
  const received0 = new Map<string, number>();
  for (const [commandId, time] of received) {
    const [, server, index] = commandId.split(':');
    if (server !== undefined && index !== undefined) received0.set(`${server.toLowerCase()}#${index}`, time);
  }
  const stepIndex = new Map<string, number>();
  for (const event of list) {
    if (!event.server) continue;
    const server = event.server.toLowerCase();
    const at = Date.parse(event.at);
    const step = event.data?.step ?? '';
    if (event.type === 'server.started') {
      issuedAt.set(server, at);
      stepIndex.set(server, 0);
    } else if (event.type === 'server.step-started') {
      const issued = issuedAt.get(server);
      if (issued !== undefined) add(`${step}.ack`, at - issued);
      const got = received0.get(`${server}#${stepIndex.get(server) ?? 0}`);
      if (issued !== undefined && got !== undefined) add(`${step}.deliver`, got - issued);
      startedAt.set(server, at);
    } else if (event.type === 'server.step-succeeded') {
      const started = startedAt.get(server);
      if (started !== undefined) add(`${step}.finish`, at - started);
      issuedAt.set(server, at);
      stepIndex.set(server, (stepIndex.get(server) ?? 0) + 1);
    }
  }
  return Object.fromEntries(
    Object.entries(gaps).map(([key, values]) => [
      key,
      {
        p50: quantile(values, 0.5),
        p90: quantile(values, 0.9),
        p99: quantile(values, 0.99),
        max: Math.max(...values),
      },
    ]),
  );
}
