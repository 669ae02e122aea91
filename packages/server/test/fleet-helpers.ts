import { silentLogger } from '@exrollout/agent';
import type { InventoryServer } from '@exrollout/core';
import { type Fleet, type Scenario, type ScenarioServer, startFleet } from '@exrollout/fleet-sim';
import { api, eventually, type TestServer } from './helpers.js';

/** A package hash the simulated hosts accept (they accept any hash unless told otherwise). */
export const SHA = 'a'.repeat(64);

type Extra = Omit<ScenarioServer, keyof InventoryServer> & Partial<InventoryServer>;

/** A scenario server on SP1 RU4 with the given roles, at a test speed. */
export function sim(name: string, roles: InventoryServer['roles'], extra: Extra = {}): ScenarioServer {
  return {
    name,
    site: 'HQ',
    build: '8.1.311.3',
    roles,
    ...extra,
    behaviour: { installSeconds: 0.3, stepSeconds: 0.02, ...extra.behaviour },
  };
}

/** A CCR or SCC cluster's nodes: the first active (hosting `cms`), the others passive. */
export function cluster(
  type: 'CCR' | 'SCC',
  name: string,
  nodes: readonly string[],
  extra: Extra = {},
): ScenarioServer[] {
  return nodes.map((node, i) =>
    sim(node, ['Mailbox'], {
      ...extra,
      cluster: {
        type,
        name,
        role: i === 0 ? 'active' : 'passive',
        ...(i === 0 ? { cms: `${name}-CMS` } : {}),
      },
    }),
  );
}

/** Starts a fleet of real agents (AgentClient + SimulatedDriver) against a test server and waits until every one reported. */
export async function fleetFor(
  server: TestServer,
  scenario: Scenario,
  serverUrl = server.url,
): Promise<Fleet> {
  const token = await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, {
    uses: scenario.servers.length,
  });
  const fleet = await startFleet({
    serverUrl,
    scenario,
    enrolToken: String(token.body.token),
    logger: silentLogger,
    concurrency: 50,
    reconnect: { baseMs: 50, maxMs: 300 },
    rebootMs: 300,
  });
  await fleet.waitConnected(15_000);
  await eventually(
    async () => (await server.inventory.list()).length >= scenario.servers.length,
    10_000,
    'every agent reported',
  );
  return fleet;
}

/** Where the REST helpers below call: a test server, or a server process with an admin token. */
export type Operator = Pick<TestServer, 'url' | 'admin'>;

/** Creates a rollout with a policy (package hash filled in) and returns its id. */
export async function createRollout(
  server: Operator,
  policy: Record<string, unknown>,
  selection?: Record<string, unknown>,
): Promise<string> {
  const created = await api(server, 'POST', '/api/v1/rollouts', server.admin, {
    policy: { packageSha256: { x64: SHA }, ...policy },
    ...(selection ? { selection } : {}),
  });
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  return String(created.body.id);
}

/** A rollout view as the tests read it. */
export interface TestRollout {
  state: string;
  reason: string | null;
  rollbackId?: string;
  counts: Record<string, number>;
  waves: {
    name: string;
    state: string;
    servers: {
      name: string;
      state: string;
      toBuild: string | null;
      step: string | null;
      steps: string[];
      progress?: { message: string; percent?: number };
      error: { code: string; message: string } | null;
      attempt: number;
    }[];
  }[];
  failures: { code: string; count: number; servers: string[]; next: string }[];
}

/** GET the rollout. */
export async function rollout(server: Operator, id: string): Promise<TestRollout> {
  return (await api(server, 'GET', `/api/v1/rollouts/${id}`, server.admin)).body as unknown as TestRollout;
}

/** Waits until the rollout is in one of the states. */
export async function until(
  server: Operator,
  id: string,
  states: readonly string[],
  timeoutMs = 20_000,
): Promise<TestRollout> {
  let last: TestRollout | undefined;
  await eventually(
    async () => {
      last = await rollout(server, id);
      return states.includes(last.state);
    },
    timeoutMs,
    `rollout ${states.join('/')} (last: ${last?.state})`,
  );
  return last as TestRollout;
}

/** One audit event as the tests read it. */
export interface TestEvent {
  id: string;
  at: string;
  type: string;
  message: string;
  server?: string;
  actor: string;
  data?: Record<string, unknown>;
}

/** Every audit event of a rollout, oldest first, page by page to the end of its trail. */
export async function events(server: Operator, id: string): Promise<TestEvent[]> {
  const list: TestEvent[] = [];
  for (let after = ''; ; ) {
    const path = `/api/v1/rollouts/${id}/events?limit=10000${after ? `&after=${after}` : ''}`;
    const page = (await api(server, 'GET', path, server.admin)).body as unknown as {
      events: TestEvent[];
      next: string | null;
    };
    list.push(...page.events);
    if (!page.next) return list;
    after = page.next;
  }
}

/** Appends `count` events about `server` to a rollout's trail, as a rollout of thousands of servers writes them. */
export async function writeEvents(
  target: Pick<TestServer, 'engine'>,
  id: string,
  count: number,
  server = 'OTHER',
): Promise<void> {
  const at = new Date().toISOString();
  for (let done = 0; done < count; done += 2000)
    await target.engine.store.commit(id, {
      events: Array.from({ length: Math.min(2000, count - done) }, (_, i) => ({
        at,
        actor: 'exrollout',
        type: 'server.step-started',
        message: `event ${done + i}`,
        server,
      })),
    });
}

/** Server name → the interval it ran, from the audit events. */
export function intervals(
  list: Awaited<ReturnType<typeof events>>,
): Map<string, { start: number; end: number }> {
  const result = new Map<string, { start: number; end: number }>();
  for (const event of list) {
    if (!event.server) continue;
    const at = Date.parse(event.at);
    if (event.type === 'server.started')
      result.set(event.server, { start: at, end: Number.POSITIVE_INFINITY });
    if (['server.succeeded', 'server.failed', 'server.skipped', 'server.rolled-back'].includes(event.type)) {
      const entry = result.get(event.server);
      if (entry) entry.end = at;
    }
  }
  return result;
}

/** The most intervals overlapping at any instant. */
export function maxOverlap(spans: readonly { start: number; end: number }[]): number {
  const points = spans
    .flatMap((span) => [
      { at: span.start, delta: 1 },
      { at: span.end, delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let best = 0;
  for (const point of points) {
    current += point.delta;
    best = Math.max(best, current);
  }
  return best;
}
