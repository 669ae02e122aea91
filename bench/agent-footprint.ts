import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchProcesses } from './lib/proc.js';
import { call, startBenchServer, waitFor } from './lib/server.js';
import { type BenchOptions, type BenchResult, round, sleep } from './lib/types.js';

const ROOT = join(import.meta.dirname, '..');
const BUNDLE = join(ROOT, 'packages', 'agent', 'bundle', 'exrollout-agent.mjs');
/** Issue 7's bundle target, "under 1 MB", read as 1,000,000 bytes. */
const BUNDLE_TARGET = 1_000_000;
const RSS_TARGET = 60 * 2 ** 20;
const CPU_TARGET = 1;
/** Shorter than the 15 s default so the idle window holds several heartbeats (more work, not less). */
const HEARTBEAT_MS = 5000;
const NAME = 'BENCH-CAS01';

/** The agent bundle's size on disk, against the 1 MB target. */
export async function bundleBench(): Promise<BenchResult> {
  const { size, mtime } = await stat(BUNDLE);
  return {
    name: 'agent bundle size',
    figure: size,
    baseline: null,
    ratio: round(size / BUNDLE_TARGET, 3),
    unit: 'bytes',
    target: BUNDLE_TARGET,
    pass: size < BUNDLE_TARGET,
    details: {
      file: 'packages/agent/bundle/exrollout-agent.mjs',
      builtAt: mtime.toISOString(),
      kib: round(size / 1024, 1),
      underOneMiB: size < 2 ** 20,
    },
  };
}

/** Idle RSS and CPU of one real agent process against a bare Node process, watched over the same window. */
export async function agentIdleBench(options: BenchOptions): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'exrollout-bench-agent-'));
  const server = await startBenchServer(options.redisUrl, {
    EXR_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS),
    EXR_OFFLINE_AFTER_MS: String(HEARTBEAT_MS * 3),
  });
  const children: ChildProcess[] = [];
  try {
    const simFile = join(dir, 'host.json');
    await writeFile(
      simFile,
      JSON.stringify({
        server: { name: NAME, site: 'HQ', build: '8.1.311.3', roles: ['ClientAccess'], internetFacing: true },
      }),
    );
    const enrol = await call(server, 'POST', '/api/v1/enrolment-tokens', server.admin, { uses: 1 });
    const agent = spawnChild(
      [
        ...(process.env.EXR_AGENT_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        BUNDLE,
        '--server',
        server.url,
        '--enrol',
        String(enrol.body.token),
        '--name',
        NAME,
        '--driver',
        'simulated',
        '--sim-file',
        simFile,
        '--state-dir',
        join(dir, 'state'),
        '--log-level',
        'warn',
      ],
      children,
    );
    const bare = spawnChild(['-e', 'setInterval(()=>{},1000)'], children);
    const view = async () => (await call(server, 'GET', `/api/v1/servers/${NAME}`, server.admin)).body;
    await waitFor(async () => (await view()).online === true, 15_000, 'agent online');
    // Let start-up work (enrolment, first inventory, JIT) settle before the window opens.
    await sleep(3000);
    const before = await view();
    const [agentUsage, bareUsage] = await watchProcesses([pidOf(agent), pidOf(bare)], options.idleSeconds);
    const after = await view();
    if (!agentUsage || !bareUsage) throw new Error('no usage measured');
    const common = {
      seconds: round(agentUsage.seconds, 1),
      heartbeatIntervalMs: HEARTBEAT_MS,
      agentOnlineAtEnd: after.online,
      lastSeenBefore: before.lastSeen,
      lastSeenAfter: after.lastSeen,
      agent: usageMb(agentUsage),
      bareNode: usageMb(bareUsage),
    };
    return [
      {
        name: 'agent idle RSS (max)',
        figure: round(agentUsage.rssMaxBytes / 2 ** 20, 1),
        baseline: round(bareUsage.rssMaxBytes / 2 ** 20, 1),
        ratio: round(agentUsage.rssMaxBytes / bareUsage.rssMaxBytes, 2),
        unit: 'MiB',
        target: RSS_TARGET / 2 ** 20,
        pass: agentUsage.rssMaxBytes < RSS_TARGET,
        details: common,
      },
      {
        name: 'agent idle CPU',
        figure: round(agentUsage.cpuPercent, 3),
        baseline: round(bareUsage.cpuPercent, 3),
        ratio: bareUsage.cpuPercent > 0 ? round(agentUsage.cpuPercent / bareUsage.cpuPercent, 2) : Number.NaN,
        unit: '% of one core',
        target: CPU_TARGET,
        pass: agentUsage.cpuPercent < CPU_TARGET,
        details: {
          ...common,
          resolution: `${1000 / 100} ms of CPU (USER_HZ 100) over ${round(agentUsage.seconds, 1)} s = ${round(1 / agentUsage.seconds, 3)} %`,
        },
      },
    ];
  } finally {
    await Promise.all(children.map(stopChild));
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function spawnChild(args: readonly string[], children: ChildProcess[]): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  children.push(child);
  return child;
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('child process did not start');
  return child.pid;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function usageMb(usage: Awaited<ReturnType<typeof watchProcesses>>[number]) {
  return {
    cpuPercent: round(usage.cpuPercent, 3),
    cpuSeconds: round(usage.cpuSeconds, 2),
    rssMaxMb: round(usage.rssMaxBytes / 2 ** 20, 1),
    rssMeanMb: round(usage.rssMeanBytes / 2 ** 20, 1),
    rssLastMb: round(usage.rssLastBytes / 2 ** 20, 1),
    samples: usage.samples,
  };
}
