import { mkdir, readFile } from 'node:fs/promises';
import { buildChildScripts, type ChildScripts, forkChild, type Generator } from './lib/gateway-children.js';
import type { AgentSpec, FrameKind } from './lib/gateway-ipc.js';
import {
  fleetFrames,
  heartbeatFrame,
  type Processed,
  startBareTarget,
  startExrolloutTarget,
  type Target,
} from './lib/gateway-targets.js';
import { noProfile, type PhaseProfiler, phaseProfiler, watchRss } from './lib/gateway-watch.js';
import { cpuSeconds, rssBytes } from './lib/proc.js';
import { type BenchOptions, type BenchResult, round, sleep } from './lib/types.js';

/** Load generator processes; with 2 cores, more only adds scheduling. */
const GENERATORS = 3;
/** Connections per generator still waiting for WELCOME at once: below Node's listen backlog of 511 in total. */
const CONNECT_CONCURRENCY = 100;
/**
 * Frames sent but not yet processed per agent, on average over all generators: the server never holds more
 * than this many times N. An agent waits for nothing, but a real one has at most a heartbeat and an inventory
 * out at once.
 */
const WINDOW_PER_AGENT = 1;
/** Small fleets (--quick) still get a window that the bare server's count, read every POLL_MS, cannot limit. */
const MIN_WINDOW = 5000;
const POLL_MS = 25;
// The exrollout counts come from Redis's command counters, which BullMQ's periodic scripts (the stalled-job
// check) can move by a few; a drain this close to complete is complete.
const DRAIN_SLACK = 10;
const INGEST_TARGET = 0.4;
const CONNECT_TARGET_S = 15;
const RSS_TARGET_MIB = 1536;

/** What one target did: connect phase and both sustained phases, with its processes' CPU and RSS. */
interface TargetRun {
  readonly connect: ConnectResult;
  readonly inventory: SustainedResult;
  readonly heartbeat: SustainedResult;
  readonly rssMaxMib: number;
  /** The largest RSS seen in each phase. */
  readonly rssMaxByPhaseMib: Record<string, number>;
  readonly inspect: Record<string, unknown>;
}

interface ConnectResult {
  readonly seconds: number;
  readonly welcomedSeconds: number;
  readonly welcomed: number;
  readonly failed: number;
  readonly cpuPercent: number;
  readonly rssAfterMib: number;
}

interface SustainedResult {
  readonly perSecond: number;
  readonly seconds: number;
  readonly sent: number;
  readonly processed: number;
  readonly drained: { readonly seconds: number; readonly missing: number };
  readonly serverErrors: number;
  readonly closed: number;
  readonly lastError?: string;
  readonly cpuPercent: Record<string, number>;
  readonly cpuMsPer1k: number;
  readonly series: number[];
  /** How often the bench read the processed count and renewed the window (at most 1000 / POLL_MS). */
  readonly pollsPerSecond: number;
}

/** 10,000 agents (1,000 with --quick) on one exrollout server process, then on a bare `ws` server. */
export async function gatewayBench(options: BenchOptions): Promise<BenchResult[]> {
  const agents = options.agents ?? (options.quick ? 1000 : 10_000);
  const seconds = options.gatewaySeconds ?? (options.quick ? 5 : 20);
  await checkOpenFilesLimit(agents);
  const scripts = await buildChildScripts();
  const frames = fleetFrames(agents);
  const names = frames.map((frame) => frame.name);
  const { target: real, credentials } = await startExrolloutTarget(names, await serverEnv(options, scripts));
  const specs: AgentSpec[] = frames.map((frame) => ({
    ...frame,
    credential: credentials.get(frame.name) ?? '',
  }));
  const profile = options.cpuProfDir ? phaseProfiler(real.pid, options.cpuProfDir) : noProfile;
  const exrollout = await runTarget(real, specs, scripts.load, seconds, profile);
  const bare = await runTarget(await startBareTarget(scripts.bare), specs, scripts.load, seconds, noProfile);
  return results(agents, seconds, exrollout, bare);
}

/** The server process holds a socket per agent: its open-files limit (inherited from here) must allow them. */
async function checkOpenFilesLimit(agents: number): Promise<void> {
  const limits = await readFile('/proc/self/limits', 'utf8');
  const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? Number.POSITIVE_INFINITY);
  const needed = agents + 1000;
  if (soft < needed)
    throw new Error(
      `the open-files limit is ${soft}; ${agents} agents need about ${needed}: run ulimit -n ${needed}`,
    );
}

/** The exrollout server's environment: default liveness settings, and the CPU profiler when asked for. */
async function serverEnv(options: BenchOptions, scripts: ChildScripts): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    EXR_HEARTBEAT_INTERVAL_MS: '15000',
    EXR_OFFLINE_AFTER_MS: '45000',
    // The bench sends each agent far more INVENTORY messages than a real one would: lift the per-agent limit.
    EXR_INVENTORY_LIMIT: '1000000',
  };
  // Node options for the server process only (e.g. --max-semi-space-size=64), to try what they change.
  const nodeOptions = [process.env.EXR_BENCH_SERVER_NODE_OPTIONS ?? ''];
  if (options.cpuProfDir) {
    await mkdir(options.cpuProfDir, { recursive: true });
    nodeOptions.push(`--require=${scripts.cpuProfilePreload}`);
    env.EXR_BENCH_CPU_PROF_DIR = options.cpuProfDir;
  }
  env.NODE_OPTIONS = nodeOptions.join(' ').trim();
  return env;
}

async function runTarget(
  target: Target,
  specs: AgentSpec[],
  script: string,
  seconds: number,
  profile: PhaseProfiler,
): Promise<TargetRun> {
  const generators = Array.from({ length: GENERATORS }, () => forkChild(script) as Generator);
  const rss = watchRss(target.pid);
  try {
    const connect = await profile('connect', () => connectPhase(target, generators, specs));
    const byPhase: Record<string, number> = { connect: rss.phaseMaxMib() };
    const inspect = await target.inspect();
    const inventory = await profile('inventory', () =>
      sustained(target, generators, 'inventory', seconds, specs.length),
    );
    byPhase.inventory = rss.phaseMaxMib();
    const heartbeat = await profile('heartbeat', () =>
      sustained(target, generators, 'heartbeat', seconds, specs.length),
    );
    byPhase.heartbeat = rss.phaseMaxMib();
    return { connect, inventory, heartbeat, rssMaxMib: rss.maxMib(), rssMaxByPhaseMib: byPhase, inspect };
  } finally {
    rss.stop();
    await Promise.all(generators.map((generator) => generator.stop()));
    await target.stop();
  }
}

/** Every agent connects, says HELLO and sends its inventory; timed until the target processed all N. */
async function connectPhase(
  target: Target,
  generators: Generator[],
  specs: AgentSpec[],
): Promise<ConnectResult> {
  for (const [g, generator] of generators.entries()) {
    const agents = specs.filter((_, i) => i % generators.length === g);
    generator.send({ type: 'agents', url: target.wsUrl, agents, concurrency: CONNECT_CONCURRENCY });
  }
  await Promise.all(generators.map((generator) => generator.next('ready', 30_000)));
  const base = await target.processed();
  const cpuBefore = await cpuSeconds(target.pid);
  const started = performance.now();
  for (const generator of generators) generator.send({ type: 'connect' });
  let welcomedAt = 0;
  const connected = Promise.all(
    generators.map(async (generator) => {
      const report = await generator.next('connected', 120_000);
      welcomedAt = performance.now();
      return report;
    }),
  );
  // Awaited below; this only keeps a timeout from being an unhandled rejection if the loop throws first.
  connected.catch(() => undefined);
  const deadline = started + 120_000;
  while ((await target.processed()).inventory - base.inventory < specs.length) {
    if (performance.now() > deadline) throw new Error(`${target.label}: not every inventory within 120 s`);
    await sleep(POLL_MS);
  }
  const doneAt = performance.now();
  const cpu = (await cpuSeconds(target.pid)) - cpuBefore;
  const reports = await connected;
  return {
    seconds: round((doneAt - started) / 1000, 2),
    welcomedSeconds: round((welcomedAt - started) / 1000, 2),
    welcomed: reports.reduce((sum, r) => sum + r.welcomed, 0),
    failed: reports.reduce((sum, r) => sum + r.failed, 0),
    cpuPercent: round((cpu / ((doneAt - started) / 1000)) * 100, 1),
    rssAfterMib: round((await rssBytes(target.pid)) / 2 ** 20, 1),
  };
}

/**
 * Sends `kind` frames for `seconds`, never more than WINDOW ahead of what the target processed, and measures
 * the processed rate after the first 10% of the window (warm-up); then waits until the target drained.
 */
async function sustained(
  target: Target,
  generators: Generator[],
  kind: FrameKind,
  seconds: number,
  agents: number,
): Promise<SustainedResult> {
  const heartbeat = heartbeatFrame();
  const window = Math.max(MIN_WINDOW, WINDOW_PER_AGENT * agents);
  for (const generator of generators) generator.send({ type: 'run', kind, heartbeat });
  const base = await target.processed();
  const done = (p: Processed) => p[kind] - base[kind];
  const pids = { target: target.pid, ...target.helpers, ...generatorPids(generators) };
  const started = performance.now();
  const warm = started + seconds * 100;
  const end = started + seconds * 1000;
  let mark: { at: number; done: number; cpu: Record<string, number> } | undefined;
  const series: number[] = [];
  let lastSecond = { at: started, done: 0 };
  let lastCap = -1;
  let count = 0;
  let polls = 0;
  while (performance.now() < end) {
    polls++;
    count = done(await target.processed());
    const now = performance.now();
    const cap = Math.floor((count + window) / generators.length);
    if (cap !== lastCap) for (const generator of generators) generator.send({ type: 'credit', cap });
    lastCap = cap;
    if (!mark && now >= warm) mark = { at: now, done: count, cpu: await cpuOf(pids) };
    if (now - lastSecond.at >= 1000) {
      series.push(Math.round(((count - lastSecond.done) * 1000) / (now - lastSecond.at)));
      lastSecond = { at: now, done: count };
    }
    await sleep(POLL_MS);
  }
  const finished = { at: performance.now(), done: done(await target.processed()), cpu: await cpuOf(pids) };
  for (const generator of generators) generator.send({ type: 'stop' });
  const reports = await Promise.all(generators.map((generator) => generator.next('stopped', 10_000)));
  const sent = reports.reduce((sum, r) => sum + r.sent, 0);
  const drained = await drain(target, done, sent);
  const from = mark ?? { at: started, done: 0, cpu: finished.cpu };
  const wall = (finished.at - from.at) / 1000;
  const messages = finished.done - from.done;
  const cpuPercent = Object.fromEntries(
    Object.entries(finished.cpu).map(([name, cpu]) => [
      name,
      round(((cpu - (from.cpu[name] ?? 0)) / wall) * 100, 1),
    ]),
  );
  const targetCpu = (finished.cpu.target ?? 0) - (from.cpu.target ?? 0);
  const lastError = reports.find((r) => r.lastError)?.lastError;
  return {
    perSecond: Math.round(messages / wall),
    seconds: round(wall, 2),
    sent,
    processed: finished.done,
    drained,
    serverErrors: reports.reduce((sum, r) => sum + r.serverErrors, 0),
    closed: reports.reduce((sum, r) => sum + r.closed, 0),
    ...(lastError ? { lastError } : {}),
    cpuPercent,
    cpuMsPer1k: round((targetCpu * 1000 * 1000) / Math.max(1, messages), 2),
    series,
    pollsPerSecond: round(polls / ((finished.at - started) / 1000), 1),
  };
}

/** Waits until the target processed every frame sent in the phase: seconds it took, or what was missing after 30 s. */
async function drain(
  target: Target,
  done: (p: Processed) => number,
  sent: number,
): Promise<{ seconds: number; missing: number }> {
  const started = performance.now();
  let missing = sent;
  for (;;) {
    missing = sent - done(await target.processed());
    if (missing <= DRAIN_SLACK || performance.now() - started > 30_000) break;
    await sleep(POLL_MS);
  }
  return { seconds: round((performance.now() - started) / 1000, 2), missing: Math.max(0, missing) };
}

function generatorPids(generators: Generator[]): Record<string, number> {
  return Object.fromEntries(generators.map((generator, i) => [`generator${i + 1}`, generator.pid]));
}

async function cpuOf(pids: Record<string, number>): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries(pids).map(async ([name, pid]) => [name, await cpuSeconds(pid)] as const),
  );
  return Object.fromEntries(entries);
}

function results(agents: number, seconds: number, real: TargetRun, bare: TargetRun): BenchResult[] {
  const common = {
    agents,
    generators: GENERATORS,
    connectConcurrency: GENERATORS * CONNECT_CONCURRENCY,
    windowPerAgent: WINDOW_PER_AGENT,
    sustainedSeconds: seconds,
  };
  const ingest = (kind: FrameKind, name: string, note: string): BenchResult => {
    const figure = real[kind].perSecond;
    const baseline = bare[kind].perSecond;
    const ratio = round(figure / Math.max(1, baseline), 3);
    return {
      name,
      figure,
      baseline,
      ratio,
      unit: 'msg/s',
      target: INGEST_TARGET,
      targetIsRatio: true,
      targetIsMinimum: true,
      pass: ratio >= INGEST_TARGET && real[kind].serverErrors === 0 && real[kind].closed === 0,
      details: { ...common, note, exrollout: real[kind], bare: bare[kind] },
    };
  };
  return [
    {
      name: `gateway ${agents.toLocaleString('en-US')} agents connect+report`,
      figure: real.connect.seconds,
      baseline: bare.connect.seconds,
      ratio: round(real.connect.seconds / Math.max(0.001, bare.connect.seconds), 2),
      unit: 's',
      target: CONNECT_TARGET_S,
      pass: real.connect.seconds < CONNECT_TARGET_S && real.connect.failed === 0,
      details: { ...common, exrollout: { ...real.connect, ...real.inspect }, bare: bare.connect },
    },
    ingest('inventory', 'gateway inventory ingest', 'issue 7 target: at least 40% of the bare rate'),
    ingest('heartbeat', 'gateway heartbeat ingest', 'issue 7 sets no heartbeat target; held to the same 40%'),
    {
      name: 'gateway server RSS (max)',
      figure: real.rssMaxMib,
      baseline: bare.rssMaxMib,
      ratio: round(real.rssMaxMib / Math.max(1, bare.rssMaxMib), 2),
      unit: 'MiB',
      target: RSS_TARGET_MIB,
      pass: real.rssMaxMib < RSS_TARGET_MIB,
      details: {
        ...common,
        sampledEveryMs: 250,
        exrolloutAfterConnectMib: real.connect.rssAfterMib,
        bareAfterConnectMib: bare.connect.rssAfterMib,
        exrolloutByPhaseMib: real.rssMaxByPhaseMib,
        bareByPhaseMib: bare.rssMaxByPhaseMib,
      },
    },
  ];
}
