import {
  type AgentLogger,
  type BackoffOptions,
  normalizeServerUrl,
  type SimulatedClock,
  SimulatedCluster,
  SimulatedDriver,
} from '@exrollout/agent';
import { type EnrolmentResult, enrolFleet } from './enrolment.js';
import { FleetError } from './errors.js';
import { DEFAULT_REBOOT_MS, FleetAgent, type FleetAgentState } from './fleet-agent.js';
import { forEachBounded } from './pool.js';
import type { Scenario, ScenarioServer } from './scenario.js';

/** Everything `startFleet` needs. */
export interface FleetOptions {
  /**
   * The server's URL (http or https), or several (server instances, balancers): agent *i* of the scenario enrols
   * and connects at URL *i* mod *n*, so the agents are spread over them evenly.
   */
  readonly serverUrl: string | readonly string[];
  /** The fleet to simulate, already checked by `parseScenario` or made by `generateFleet`. */
  readonly scenario: Scenario;
  /** A token with enough uses for every agent without a stored credential. */
  readonly enrolToken?: string;
  /** Passed to every agent; keep it at warn or above for large fleets. */
  readonly logger: AgentLogger;
  /** Most enrolments, and most connection attempts, in flight at once. @default 200 */
  readonly concurrency?: number;
  /** Keep credentials here and reuse them on the next run. @default in memory only */
  readonly stateDir?: string;
  /** Reconnect delay bounds of every agent. @default { baseMs: 500, maxMs: 30000 } */
  readonly reconnect?: Partial<BackoffOptions>;
  /** Longest wait for an upgrade and then for WELCOME, per attempt. @default 15000 */
  readonly timeoutMs?: number;
  /** How simulated steps let time pass. @default the wall clock */
  readonly clock?: SimulatedClock;
  /** How long a simulated restart keeps an agent away. @default 2000 */
  readonly rebootMs?: number;
  /** Hears of progress while enrolling and while connecting. */
  readonly onProgress?: (progress: FleetProgress) => void;
  readonly fetch?: typeof fetch;
}

/** How far the fleet has got: enrolment, then first connection attempts. */
export interface FleetProgress {
  readonly phase: 'enrol' | 'connect';
  readonly done: number;
  readonly total: number;
}

/** A running fleet of simulated agents. */
export interface Fleet {
  /** Every agent, in scenario order. */
  readonly agents: readonly FleetAgent[];
  /** How the credentials were obtained. */
  readonly enrolment: EnrolmentResult;
  /** The agent of that name (case-insensitive); throws FleetError when there is none. */
  agent(name: string): FleetAgent;
  /** Resolves once every agent that should be connected is; rejects on timeout or a refused agent. */
  waitConnected(timeoutMs?: number): Promise<void>;
  /** Closes one agent's connection gracefully; it stays away until `reconnect`. */
  disconnect(name: string): Promise<void>;
  /** Connects one agent again, to another server URL if given. */
  reconnect(name: string, options?: { readonly serverUrl?: string }): Promise<void>;
  /** Drops one agent's connection without a close frame; it stays away until `reconnect`. */
  kill(name: string): Promise<void>;
  /** Cuts one agent's connection as a network fault would; it reconnects by itself. */
  drop(name: string): void;
  /** How many agents are in each state. */
  states(): Partial<Record<FleetAgentState, number>>;
  /** Stops every agent (close 1000) and every timer. */
  stop(): Promise<void>;
}

const DEFAULT_CONCURRENCY = 200;

/** Builds the simulated servers, enrols them, and starts connecting them `concurrency` at a time. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const serverUrls = spreadOver(options.serverUrl);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const agents = buildAgents(options);
  const byName = new Map(agents.map((agent) => [agent.name.toLowerCase(), agent]));
  const progress = (phase: FleetProgress['phase']) => (done: number, total: number) =>
    options.onProgress?.({ phase, done, total });
  let enrolment: EnrolmentResult;
  try {
    enrolment = await enrolFleet(agents, {
      serverUrlOf: (index) => serverUrls[index % serverUrls.length] as string,
      concurrency,
      onProgress: progress('enrol'),
      ...(options.enrolToken === undefined ? {} : { enrolToken: options.enrolToken }),
      ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  } catch (error) {
    await Promise.all(agents.map((agent) => agent.dispose()));
    throw error;
  }
  const ramp = new AbortController();
  const connected = progress('connect');
  let attempted = 0;
  const ramping = forEachBounded(agents, { concurrency, signal: ramp.signal }, async (agent) => {
    await agent.connect();
    attempted += 1;
    connected(attempted, agents.length);
  });
  const agent = (name: string) => {
    const found = byName.get(name.toLowerCase());
    if (!found) throw new FleetError('FLEET_ERR_UNKNOWN_AGENT', `the fleet has no agent named ${name}`);
    return found;
  };
  return {
    agents,
    enrolment,
    agent,
    waitConnected: (timeoutMs = 60_000) => waitConnected(agents, timeoutMs),
    disconnect: (name) => agent(name).disconnect(),
    reconnect: async (name, reconnectOptions) => {
      const serverUrl = reconnectOptions?.serverUrl;
      await agent(name).reconnect(
        serverUrl === undefined ? {} : { serverUrl: normalizeServerUrl(serverUrl) },
      );
    },
    kill: (name) => agent(name).kill(),
    drop: (name) => agent(name).drop(),
    states: () => countStates(agents),
    stop: async () => {
      ramp.abort();
      await Promise.all(agents.map((one) => one.dispose()));
      await ramping;
    },
  };
}

function spreadOver(urls: string | readonly string[]): string[] {
  const list = (typeof urls === 'string' ? [urls] : [...urls]).map((url) => normalizeServerUrl(url));
  if (list.length === 0) throw new FleetError('FLEET_ERR_USAGE', 'the fleet needs at least one server URL');
  return list;
}

function buildAgents(options: FleetOptions): FleetAgent[] {
  const clusters = new Map<string, SimulatedCluster>();
  const clusterOf = (server: ScenarioServer) => {
    if (!server.cluster) return undefined;
    const key = server.cluster.name.toLowerCase();
    const cluster = clusters.get(key) ?? new SimulatedCluster(server.cluster.name);
    clusters.set(key, cluster);
    return cluster;
  };
  const shared = {
    logger: options.logger,
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
  return options.scenario.servers.map((server, index) => {
    const { host, behaviour, ...inventory } = server;
    const cluster = clusterOf(server);
    const driver = new SimulatedDriver(
      { server: inventory, ...(host ? { host } : {}), ...(behaviour ? { behaviour } : {}) },
      {
        source: `scenario servers[${index}]`,
        ...(cluster ? { cluster } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
      },
    );
    return new FleetAgent(driver, shared, options.rebootMs ?? DEFAULT_REBOOT_MS);
  });
}

function countStates(agents: readonly FleetAgent[]): Partial<Record<FleetAgentState, number>> {
  const counts: Partial<Record<FleetAgentState, number>> = {};
  for (const agent of agents) counts[agent.state] = (counts[agent.state] ?? 0) + 1;
  return counts;
}

// Agents told to stay away (disconnect, kill) do not count; a refused agent fails the wait at once.
async function waitConnected(agents: readonly FleetAgent[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failed = agents.find((agent) => agent.state === 'failed');
    if (failed)
      throw new FleetError(
        'FLEET_ERR_AGENT_REFUSED',
        `${failed.name} was refused by the server: ${failed.fatal?.message ?? 'unknown reason'}`,
      );
    const waiting = agents.filter((agent) => agent.state !== 'ready' && agent.state !== 'stopped');
    if (waiting.length === 0) return;
    if (Date.now() >= deadline) throw connectTimeout(waiting, agents.length, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function connectTimeout(waiting: readonly FleetAgent[], total: number, timeoutMs: number): FleetError {
  const names = waiting.slice(0, 10).map((agent) => `${agent.name} (${agent.state})`);
  const more = waiting.length > 10 ? `, and ${waiting.length - 10} more` : '';
  return new FleetError(
    'FLEET_ERR_CONNECT_TIMEOUT',
    `${waiting.length} of ${total} agents not connected after ${timeoutMs} ms: ${names.join(', ')}${more}`,
  );
}
