import type { Fleet } from './fleet.js';
import type { FleetAgentState } from './fleet-agent.js';

/** What the fleet simulator prints once the ramp-up is over (`--json` prints exactly this). */
export interface FleetSummary {
  /** The URLs the agents were spread over, in the order given. */
  readonly serverUrls: readonly string[];
  /** Agents per URL. */
  readonly agentsPerServer: Readonly<Record<string, number>>;
  readonly agents: number;
  /** Agents enrolled during this run, and agents that reused a stored credential. */
  readonly enrolled: number;
  readonly reusedCredentials: number;
  /** Agents connected and welcomed when the summary was taken. */
  readonly ready: number;
  readonly states: Partial<Record<FleetAgentState, number>>;
  /** Agents per Exchange role (a server with several roles counts once per role). */
  readonly roles: Readonly<Record<string, number>>;
  /** Windows failover clusters (CCR and SCC) in the fleet. */
  readonly clusters: number;
  /** From the start of the run to the summary, in milliseconds. */
  readonly elapsedMs: number;
  /** Agents still not connected, first 20 by name. */
  readonly notReady: readonly string[];
}

/** Takes the summary of a fleet now. */
export function summarise(fleet: Fleet, startedAt: number): FleetSummary {
  const roles: Record<string, number> = {};
  const agentsPerServer: Record<string, number> = {};
  for (const agent of fleet.agents)
    if (agent.serverUrl !== undefined)
      agentsPerServer[agent.serverUrl] = (agentsPerServer[agent.serverUrl] ?? 0) + 1;
  const clusters = new Set<string>();
  for (const agent of fleet.agents) {
    const server = agent.driver.state().server;
    for (const role of server.roles) roles[role] = (roles[role] ?? 0) + 1;
    if (server.cluster) clusters.add(server.cluster.name.toLowerCase());
  }
  const states = fleet.states();
  return {
    serverUrls: Object.keys(agentsPerServer),
    agentsPerServer,
    agents: fleet.agents.length,
    enrolled: fleet.enrolment.enrolled,
    reusedCredentials: fleet.enrolment.reused,
    ready: states.ready ?? 0,
    states,
    roles,
    clusters: clusters.size,
    elapsedMs: Date.now() - startedAt,
    notReady: fleet.agents
      .filter((agent) => agent.state !== 'ready')
      .slice(0, 20)
      .map((agent) => agent.name),
  };
}

/** The summary as one line for people. */
export function formatSummary(summary: FleetSummary): string {
  const states = Object.entries(summary.states)
    .map(([state, count]) => `${count} ${state}`)
    .join(', ');
  return `${summary.agents} agents (${summary.enrolled} enrolled, ${summary.reusedCredentials} reused) on ${summary.serverUrls.join(', ')}: ${states}, after ${(summary.elapsedMs / 1000).toFixed(1)} s`;
}
