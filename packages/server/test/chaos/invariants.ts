import type { FleetAgent } from '@exrollout/fleet-sim';
import { expect } from 'vitest';
import { CHANGE_NOTE_TYPES } from '../../src/engine/change-notes.js';
import { events, type Operator, rollout, type TestRollout } from '../fleet-helpers.js';
import { api } from '../helpers.js';

/** The build KB959241 takes a server to. */
export const TARGET_BUILD = '8.1.340.1';

type AuditEvent = Awaited<ReturnType<typeof events>>[number];

/** The builds each simulated host went through since recording began: `[target]` for one install. */
export interface BuildHistory {
  of(name: string): string[];
  stop(): void;
}

/** Starts recording every build change of each agent's simulated host; call before the rollout starts. */
export function recordBuilds(agents: readonly FleetAgent[]): BuildHistory {
  const builds = new Map<string, string[]>(agents.map((agent) => [agent.name, []]));
  const stops = agents.map((agent) => {
    let build = agent.driver.state().server.build;
    return agent.driver.onChange((state) => {
      if (state.server.build !== build) builds.get(agent.name)?.push(state.server.build);
      build = state.server.build;
    });
  });
  return {
    of: (name) => [...(builds.get(name) ?? [])],
    stop: () => {
      for (const stop of stops) stop();
    },
  };
}

/** The builds a server reported, oldest first, from its history on the server (`GET /api/v1/servers/:name`). */
export async function buildsReported(server: Operator, name: string): Promise<string[]> {
  const detail = await api(server, 'GET', `/api/v1/servers/${name}`, server.admin);
  return (detail.body.history as unknown as { to: string }[]).map((change) => change.to).reverse();
}

// Notes of an agent dropping and coming back come and go with the faults a test injects; the steps must be whole.
// Notes beside the steps: a connection that came and went, what a step changed on the host.
const CONNECTION_NOTES = new Set<string>([
  'server.agent-disconnected',
  'server.agent-reconnected',
  ...CHANGE_NOTE_TYPES,
]);

/** One server's audit trail as `type:step` entries, in stream order, without the agent's connection notes. */
export function trail(list: readonly AuditEvent[], server: string): string[] {
  return list
    .filter(
      (event) => event.server?.toLowerCase() === server.toLowerCase() && !CONNECTION_NOTES.has(event.type),
    )
    .map((event) => `${event.type.replace(/^server\./, '')}${event.data?.step ? `:${event.data.step}` : ''}`);
}

/** The trail of a server that succeeded: started, each step started then succeeded (a restart only if one ran), and `end`. */
export function successTrail(steps: readonly string[], end = 'succeeded', restarted = false): string[] {
  // A restart nobody asked for (no msiexec 3010, no pending restart) is passed over without a trail event.
  const ran = restarted ? steps : steps.filter((step) => step !== 'restart');
  return ['started', ...ran.flatMap((step) => [`step-started:${step}`, `step-succeeded:${step}`]), end];
}

/** Checks a server's trail against the one expected, entry by entry and in order. */
export function expectTrail(actual: readonly string[], expected: readonly string[], server: string): void {
  expect(actual, server).toEqual(expected);
}

/** The rollout's own events (no server), by type, in stream order. */
export function rolloutTrail(list: readonly AuditEvent[]): string[] {
  return list.filter((event) => !event.server).map((event) => event.type);
}

/** What a completed rollout's own trail is: created, started, each wave completed (an empty one skipped), completed. */
export function completedRolloutTrail(waves: readonly { readonly servers: readonly unknown[] }[]): string[] {
  return [
    'rollout.created',
    'rollout.started',
    ...waves.map((wave) => (wave.servers.length === 0 ? 'wave.skipped' : 'wave.completed')),
    'rollout.completed',
  ];
}

/** What the checks below may look at besides the server: the fleet's agents and their hosts' build history. */
export interface Witnesses {
  readonly agents?: readonly FleetAgent[];
  readonly builds?: BuildHistory;
  readonly timeoutMs?: number;
}

/**
 * Waits for the rollout to complete and checks that nothing was lost or done twice: every server succeeded on
 * the target build at its first attempt, its audit trail is whole and in order, the rollout's own events are all
 * there; for fleet agents also that the host changed build once and the agent started each command once.
 */
export async function expectCompletedOnce(
  server: Operator,
  id: string,
  witnesses: Witnesses = {},
): Promise<TestRollout> {
  const done = await waitFinished(server, id, witnesses.timeoutMs ?? 60_000);
  expect(done.state, done.reason ?? '').toBe('completed');
  const runs = done.waves.flatMap((wave) => wave.servers);
  expect(done.counts).toMatchObject({ succeeded: runs.length, failed: 0, skipped: 0, running: 0 });
  const list = await events(server, id);
  for (const run of runs) {
    expect(run.toBuild, run.name).toBe(TARGET_BUILD);
    expect(run.attempt, run.name).toBe(1);
    expectTrail(trail(list, run.name), successTrail(run.steps), run.name);
  }
  expect(rolloutTrail(list)).toEqual(completedRolloutTrail(done.waves));
  expect(done.failures).toEqual([]);
  for (const agent of witnesses.agents ?? []) {
    expect(agent.driver.state().installedUpdates, agent.name).toHaveLength(1);
    if (witnesses.builds) expect(witnesses.builds.of(agent.name), agent.name).toEqual([TARGET_BUILD]);
    await expectEachCommandStartedOnce(agent, id, runs);
  }
  return done;
}

/**
 * Waits for the rollback of a completed rollout to end and checks it the same way: every server rolled back to
 * `fromBuild` once, each rollback server's trail whole, each host went to the target and back, once each.
 */
export async function expectRolledBackOnce(
  server: Operator,
  id: string,
  fromBuild: string,
  witnesses: Witnesses = {},
): Promise<TestRollout> {
  const deadline = Date.now() + (witnesses.timeoutMs ?? 60_000);
  let parent = await rollout(server, id);
  while (parent.state === 'rolling-back' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    parent = await rollout(server, id);
  }
  expect(parent.state, parent.reason ?? '').toBe('rolled-back');
  const rollbackId = String(parent.rollbackId);
  const rollback = await rollout(server, rollbackId);
  const runs = rollback.waves.flatMap((wave) => wave.servers);
  expect(rollback.counts).toMatchObject({ 'rolled-back': runs.length, failed: 0, skipped: 0, running: 0 });
  const list = await events(server, rollbackId);
  for (const run of runs) {
    expect(run.toBuild, run.name).toBe(fromBuild);
    expectTrail(trail(list, run.name), successTrail(run.steps, 'rolled-back'), run.name);
  }
  for (const agent of witnesses.agents ?? []) {
    expect(agent.driver.state().installedUpdates, agent.name).toHaveLength(0);
    if (witnesses.builds)
      expect(witnesses.builds.of(agent.name), agent.name).toEqual([TARGET_BUILD, fromBuild]);
    await expectEachCommandStartedOnce(agent, rollbackId, runs);
  }
  return rollback;
}

/** Waits until the rollout has finished or stopped: completed (with failures or not), halted or aborted. */
export async function waitFinished(server: Operator, id: string, timeoutMs: number): Promise<TestRollout> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await rollout(server, id);
    if (['completed', 'completed-with-failures', 'halted', 'aborted'].includes(view.state)) return view;
    if (Date.now() > deadline)
      throw new Error(
        `rollout ${id} still ${view.state} after ${timeoutMs} ms: ${JSON.stringify(view.counts)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Command ids are `<rollout>:<server>:<step index>:<step>:<attempt>`; the agent's journal counts each start.
async function expectEachCommandStartedOnce(
  agent: FleetAgent,
  id: string,
  runs: readonly TestRollout['waves'][number]['servers'][number][],
): Promise<void> {
  const run = runs.find((one) => one.name === agent.name);
  if (!run) return;
  // The restart step is sent only when one is needed; the host says whether it ran one.
  const restarted = Object.keys(agent.driver.state().restartsByCommand).length > 0;
  for (const [index, step] of run.steps.entries()) {
    if (step === 'restart' && !restarted) continue;
    const entry = await agent.journal.get(`${id}:${agent.name}:${index}:${step}:1`);
    expect(entry, `${agent.name} ${step}`).toMatchObject({ state: 'done', attempts: 1 });
    expect(await agent.journal.get(`${id}:${agent.name}:${index}:${step}:2`)).toBeUndefined();
  }
}

/** Counts the faults a chaos file injects, for its one-line summary. */
export class FaultTally {
  private readonly counts = new Map<string, number>();

  constructor(private readonly file: string) {}

  /** Adds `n` faults (or rollouts, or checks) of a kind. */
  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  /** `[chaos] <file>: kind n, kind n, ...` */
  line(): string {
    const parts = [...this.counts].map(([kind, n]) => `${kind} ${n}`);
    return `[chaos] ${this.file}: ${parts.join(', ')}`;
  }
}
