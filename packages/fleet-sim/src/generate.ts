import type { SimulatedBehaviour } from '@exrollout/agent';
import type { ClusterMembership, ExchangeRole } from '@exrollout/core';
import { chance, type Random, seededRandom, weighted } from './random.js';
import type { Scenario, ScenarioServer } from './scenario.js';

/** What to generate: how many servers, from which seed, and how often an install should go wrong. */
export interface GenerateOptions {
  /** Number of servers, 1 to 200000. */
  readonly count: number;
  /** The same seed always gives the same fleet. @default 1 */
  readonly seed?: number;
  /** Share of servers (0 to 1) given one failure mode of a real rollout (KB 944752, Return Value 3...). @default 0 */
  readonly failureRate?: number;
}

/** The largest fleet `generateFleet` makes (the inventory schema's limit). */
export const MAX_GENERATED = 200_000;

const SITES = [
  ['SEA', 'HQ-Seattle', 6],
  ['LON', 'EU-London', 4],
  ['CHI', 'US-Chicago', 3],
  ['FRA', 'EU-Frankfurt', 3],
  ['SYD', 'APAC-Sydney', 2],
  ['TYO', 'APAC-Tokyo', 2],
  ['DAL', 'US-Dallas', 2],
  ['SAO', 'SA-SaoPaulo', 1],
] as const;
type Site = (typeof SITES)[number];

// Mostly SP1 RU1-RU5, which go to RU6; a few already current, on RTM or on SP2, so every planner path shows.
const BUILDS = [
  ['8.1.240.6', 4],
  ['8.1.263.1', 8],
  ['8.1.278.2', 12],
  ['8.1.291.2', 16],
  ['8.1.311.3', 25],
  ['8.1.336.1', 27],
  ['8.1.340.1', 4],
  ['8.1.359.2', 1],
  ['8.0.813.0', 2],
  ['8.2.176.2', 1],
] as const;

type Kind = 'hub' | 'mailbox' | 'um' | 'hub-um' | 'edge';
const OTHER_KINDS: readonly (readonly [Kind, number])[] = [
  ['hub', 28],
  ['mailbox', 50],
  ['um', 7],
  ['hub-um', 5],
  ['edge', 10],
];
const KIND_ROLES: Readonly<Record<Kind, readonly [string, readonly ExchangeRole[]]>> = {
  hub: ['HUB', ['HubTransport']],
  mailbox: ['MBX', ['Mailbox']],
  um: ['UM', ['UnifiedMessaging']],
  'hub-um': ['HUM', ['HubTransport', 'UnifiedMessaging']],
  edge: ['EDGE', ['Edge']],
};
const FAILURES: readonly SimulatedBehaviour[] = [
  { servicesFailToStart: true },
  { installFails: 'msi-return-value-3' },
  { disconnectDuringInstall: true },
  { rebootDuringInstall: true },
];

/**
 * Synthesises a realistic fleet: about 2% Internet-facing and 8% internal Client Access servers, the rest Hub
 * Transport, Mailbox (CCR pairs and SCC clusters make a fifth of them), Unified Messaging and Edge, across eight
 * sites, mostly on SP1 RU1-RU5. Deterministic for a seed; valid for `parseInventory`.
 */
export function generateFleet({ count, seed = 1, failureRate = 0 }: GenerateOptions): Scenario {
  if (!Number.isInteger(count) || count < 1 || count > MAX_GENERATED)
    throw new RangeError(`count must be an integer from 1 to ${MAX_GENERATED} (got ${count})`);
  const random = seededRandom(seed);
  const names = new NameSource();
  const internetCas = share(count, 0.02);
  const internalCas = Math.min(count - internetCas, share(count, 0.08));
  const rest = count - internetCas - internalCas;
  const servers: ScenarioServer[] = [];
  for (let i = 0; i < internetCas; i++) servers.push(cas(random, names, true));
  for (let i = 0; i < internalCas; i++) servers.push(cas(random, names, false));
  servers.push(...clusters(random, names, Math.floor(rest * 0.2)));
  while (servers.length < count) servers.push(other(random, names));
  return { servers: servers.map((server) => withFailure(random, server, failureRate)) };
}

function share(count: number, fraction: number): number {
  // Small fleets still get one of each Client Access kind, so that every wave exists.
  return count >= 5 ? Math.max(1, Math.round(count * fraction)) : 0;
}

function cas(random: Random, names: NameSource, internetFacing: boolean): ScenarioServer {
  const site = pickSite(random);
  const roles: ExchangeRole[] = chance(random, 0.3) ? ['ClientAccess', 'HubTransport'] : ['ClientAccess'];
  return {
    ...base(random, names.next(site, 'CAS'), site, roles),
    internetFacing,
    ...(chance(random, 0.3) ? { owaCustomized: true } : {}),
  };
}

function other(random: Random, names: NameSource): ScenarioServer {
  const kind = weighted(random, OTHER_KINDS);
  const [prefix, roles] = KIND_ROLES[kind];
  const site = pickSite(random);
  const server = base(random, names.next(site, prefix), site, roles);
  if (kind !== 'edge') return server;
  // An Edge server sits in the perimeter network, outside Active Directory: no site.
  const { site: _none, ...edge } = server;
  return { ...edge, fqdn: `${server.name.toLowerCase()}.perimeter.contoso.com` };
}

function clusters(random: Random, names: NameSource, nodes: number): ScenarioServer[] {
  const servers: ScenarioServer[] = [];
  while (nodes - servers.length >= 2) {
    const scc = nodes - servers.length >= 3 && chance(random, 0.2);
    const site = pickSite(random);
    const number = names.cluster(site);
    const build = pickBuild(random);
    const membership = (role: 'active' | 'passive'): ClusterMembership => ({
      type: scc ? 'SCC' : 'CCR',
      name: `${site[0]}-CLU${number}`,
      role,
      ...(role === 'active' ? { cms: `${site[0]}-CMS${number}` } : {}),
    });
    for (const role of scc ? (['active', 'passive', 'passive'] as const) : (['active', 'passive'] as const)) {
      const node = base(random, names.next(site, 'MBX'), site, ['Mailbox']);
      servers.push({ ...node, build, cluster: membership(role) });
    }
  }
  return servers;
}

function base(random: Random, name: string, site: Site, roles: readonly ExchangeRole[]): ScenarioServer {
  const os = chance(random, 0.6) ? 'Windows Server 2003 R2 x64' : 'Windows Server 2008 x64';
  return {
    name,
    fqdn: `${name.toLowerCase()}.${site[0].toLowerCase()}.contoso.com`,
    site: site[1],
    build: pickBuild(random),
    roles: [...roles],
    ...(chance(random, 0.03)
      ? { interimUpdates: ['Interim Update for Exchange Server 2007 SP1 (KB956624)'] }
      : {}),
    host: { architecture: 'x64', os, pendingReboot: false },
  };
}

function withFailure(random: Random, server: ScenarioServer, rate: number): ScenarioServer {
  if (rate <= 0 || !chance(random, rate)) return server;
  const failure = FAILURES[Math.floor(random() * FAILURES.length)];
  return failure ? { ...server, behaviour: { ...failure } } : server;
}

function pickSite(random: Random): Site {
  return weighted(
    random,
    SITES.map((site) => [site, site[2]] as const),
  );
}

function pickBuild(random: Random): string {
  return weighted(random, BUILDS);
}

/** Hands out unique names per site and prefix: SEA-CAS0001, SEA-MBX0002, SEA-CLU0001... */
class NameSource {
  readonly #next = new Map<string, number>();

  next(site: Site, prefix: string): string {
    return `${site[0]}-${prefix}${pad(this.#count(`${site[0]}-${prefix}`))}`;
  }

  cluster(site: Site): string {
    return pad(this.#count(`${site[0]}-CLU`));
  }

  #count(key: string): number {
    const value = (this.#next.get(key) ?? 0) + 1;
    this.#next.set(key, value);
    return value;
  }
}

function pad(value: number): string {
  return String(value).padStart(4, '0');
}
