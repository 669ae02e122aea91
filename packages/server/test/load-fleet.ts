import { silentLogger } from '@exrollout/agent';
import {
  type Fleet,
  type FleetOptions,
  type Scenario,
  type ScenarioServer,
  startFleet,
} from '@exrollout/fleet-sim';
import { api, eventually } from './helpers.js';

// Shared by the load tests (test/chaos) and the benchmarks (bench/): large fleets, built and enrolled one way.

/**
 * `count` servers in the planner's three waves: 2% Internet-facing Client Access, 8% internal Client Access, the
 * rest Hub Transport (no clusters), on SP1 RU4; server i's install takes `installSeconds(i)`, every other step
 * is instant. Names: INET-CAS0000..., INT-CAS0000..., HUB0000...
 */
export function waveScenario(count: number, installSeconds: (index: number) => number): Scenario {
  const internet = Math.round(count * 0.02);
  const internal = Math.round(count * 0.08);
  const pad = (n: number) => String(n).padStart(4, '0');
  const server = (index: number): ScenarioServer => {
    const [name, roles, internetFacing] =
      index < internet
        ? [`INET-CAS${pad(index)}`, ['ClientAccess'] as const, true]
        : index < internet + internal
          ? [`INT-CAS${pad(index - internet)}`, ['ClientAccess'] as const, false]
          : [`HUB${pad(index - internet - internal)}`, ['HubTransport'] as const, false];
    return {
      name,
      site: 'HQ',
      build: '8.1.311.3',
      roles: [...roles],
      ...(internetFacing ? { internetFacing } : {}),
      behaviour: { installSeconds: installSeconds(index), stepSeconds: 0 },
    };
  };
  return { servers: Array.from({ length: count }, (_, index) => server(index)) };
}

/** Fleet settings for a large fleet; the rest of FleetOptions is filled in by `startEnrolledFleet`. */
export type LoadFleetOptions = Partial<Omit<FleetOptions, 'serverUrl' | 'scenario' | 'enrolToken'>>;

/**
 * Creates an enrolment token with one use per server, starts the fleet against `server`, and resolves once
 * every agent is connected and the server lists every one; stops the fleet if that does not happen in time.
 */
export async function startEnrolledFleet(
  server: { readonly url: string; readonly admin: string },
  scenario: Scenario,
  options: LoadFleetOptions = {},
  timeoutMs = 60_000,
): Promise<Fleet> {
  const count = scenario.servers.length;
  const token = await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, { uses: count });
  if (token.status !== 201) throw new Error(`enrolment token refused: ${JSON.stringify(token.body)}`);
  const fleet = await startFleet({
    serverUrl: server.url,
    scenario,
    enrolToken: String(token.body.token),
    logger: silentLogger,
    concurrency: 50,
    reconnect: { baseMs: 200, maxMs: 2000 },
    ...options,
  });
  try {
    await fleet.waitConnected(timeoutMs);
    await eventually(
      async () => (await api(server, 'GET', '/api/v1/servers', server.admin)).body.total === count,
      timeoutMs,
      'every agent reported',
    );
    return fleet;
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}

/** One audit event as the REST API returns it. */
export interface AuditEvent {
  readonly id: string;
  readonly at: string;
  readonly type: string;
  readonly actor: string;
  readonly server?: string;
  readonly data?: { readonly step?: string; readonly [key: string]: unknown };
}

/** Every audit event of a rollout, oldest first, following the API's pages to the end of the trail. */
export async function allEvents(
  server: { readonly url: string; readonly admin: string },
  id: string,
): Promise<AuditEvent[]> {
  const list: AuditEvent[] = [];
  for (let after = ''; ; ) {
    const query = `?limit=10000${after ? `&after=${after}` : ''}`;
    const page = (await api(server, 'GET', `/api/v1/rollouts/${id}/events${query}`, server.admin))
      .body as unknown as { events: AuditEvent[]; next: string | null };
    list.push(...page.events);
    if (!page.next) return list;
    after = page.next;
  }
}
