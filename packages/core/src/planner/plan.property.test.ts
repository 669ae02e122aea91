import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Build,
  compareBuilds,
  formatBuild,
  formatBuildLong,
  normalizeBuild,
  parseBuild,
  tryParseBuild,
} from '../exchange/build.js';
import { EXCHANGE_2007_RELEASES } from '../exchange/releases.js';
import { computerNameProblem } from '../inventory/computer-name.js';
import { EXCHANGE_ROLES } from '../inventory/roles.js';
import type { ExchangeRole, Inventory, InventoryServer } from '../inventory/schema.js';
import { parseInventory } from '../inventory/validate.js';
import { KB959241 } from '../updates/catalog.js';
import { STEP_NAMES, WAVE_NAMES } from './names.js';
import { planRollout } from './plan.js';
import type {
  ExclusionCode,
  PlannedServer,
  PlanPin,
  PlanSelection,
  PlanWave,
  RolloutPlan,
  SkipCode,
  WaveName,
} from './schema.js';

// Property-based tests of planRollout(inventory, KB959241, policy) over random, valid fleets.

const RUNS = { numRuns: 200 };
const REGRESSION_RUNS = { numRuns: 20 };

const TARGET = parseBuild(KB959241.targetBuild);
const SP1_RELEASES = EXCHANGE_2007_RELEASES.filter((release) => release.line === 'SP1');
const SP1_BEFORE_TARGET = SP1_RELEASES.filter((release) => release.rollup < KB959241.rollup).map(
  (release) => release.build,
);
const SP1_FROM_TARGET = SP1_RELEASES.filter((release) => release.rollup >= KB959241.rollup).map(
  (release) => release.build,
);
const SP1_BUILD_PARTS = new Set(SP1_RELEASES.map((release) => parseBuild(release.build).build));
// Other products (Exchange 2010, 2013, 2003) and an 8.x minor that is no Exchange 2007 line.
const FOREIGN_BUILDS = ['14.0.639.21', '15.0.1497.2', '6.5.7638.1', '8.4.10.0'];
const SITES = ['HQ', 'hq', 'Branch-1', 'DMZ'];
const NON_EDGE_ROLES = EXCHANGE_ROLES.filter((role) => role !== 'Edge');
const NAME_HEAD = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];

type Verdict = 'planned' | SkipCode | ExclusionCode;

// ---------------------------------------------------------------------------------------------------------
// Arbitraries

const netbiosNameArb = fc
  .tuple(
    fc.constantFrom(...NAME_HEAD),
    fc.string({ unit: fc.constantFrom(...NAME_HEAD, '-'), maxLength: 14 }),
  )
  .map(([head, tail]) => head + tail)
  .filter((name) => computerNameProblem(name) === undefined);

const buildOfLineArb = (minor: number) =>
  fc
    .tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 30 }))
    .map(([build, revision]) => `8.${minor}.${build}.${revision}`);

/** A catalogued SP1 build with another last part (8.1.263.7): identified by its first three parts. */
const sp1RevisionVariantArb = fc
  .tuple(fc.constantFrom(...SP1_RELEASES), fc.integer({ min: 0, max: 9 }))
  .map(([release, revision]) => `8.1.${parseBuild(release.build).build}.${revision}`);

/** An 8.1.x build whose third part matches no catalogued SP1 release. */
const unknownSp1Arb = fc
  .tuple(
    fc.integer({ min: 0, max: 999 }).filter((build) => !SP1_BUILD_PARTS.has(build)),
    fc.integer({ min: 0, max: 30 }),
  )
  .map(([build, revision]) => `8.1.${build}.${revision}`);

type Spelling = 'short' | 'long' | 'spaced';

function spell(build: string, spelling: Spelling): string {
  const parsed = tryParseBuild(build);
  if (spelling === 'long' && parsed) return formatBuildLong(parsed);
  if (spelling === 'spaced') return ` ${build} `;
  return build;
}

const buildArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...SP1_BEFORE_TARGET) },
      { weight: 2, arbitrary: fc.constantFrom(...SP1_FROM_TARGET) },
      { weight: 2, arbitrary: fc.constantFrom(...EXCHANGE_2007_RELEASES.map((release) => release.build)) },
      { weight: 1, arbitrary: fc.constant('8.0.685.24') },
      { weight: 1, arbitrary: sp1RevisionVariantArb },
      { weight: 1, arbitrary: unknownSp1Arb },
      { weight: 1, arbitrary: fc.constantFrom(0, 2, 3).chain(buildOfLineArb) },
      { weight: 1, arbitrary: fc.constantFrom(...FOREIGN_BUILDS) },
    ),
    fc.constantFrom<Spelling>('short', 'short', 'long', 'spaced'),
  )
  .map(([build, spelling]) => spell(build, spelling));

/** A build the planner always excludes on its own: RTM, SP2/SP3 or not Exchange 2007. */
const excludedBuildArb = fc.oneof(
  fc.constant('8.0.685.24'),
  fc.constantFrom(0, 2, 3).chain(buildOfLineArb),
  fc.constantFrom(...FOREIGN_BUILDS),
);

const siteArb = fc.option(fc.constantFrom(...SITES), { nil: undefined, freq: 4 });

const interimUpdatesArb = fc.option(
  fc.array(fc.constantFrom('IU for KB956624', 'IU-OWA-950675', 'KB957748 interim fix'), { maxLength: 3 }),
  { nil: undefined, freq: 2 },
);

const rolesArb: fc.Arbitrary<ExchangeRole[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<ExchangeRole[]>(['Edge']) },
  { weight: 6, arbitrary: fc.shuffledSubarray(NON_EDGE_ROLES, { minLength: 1 }) },
);

interface ServerSpec {
  readonly build: string;
  readonly roles: ExchangeRole[];
  readonly site: string | undefined;
  readonly internetFacing: boolean | undefined;
  readonly owaCustomized: boolean | undefined;
  readonly interimUpdates: string[] | undefined;
}

const serverSpecArb: fc.Arbitrary<ServerSpec> = fc.record({
  build: buildArb,
  roles: rolesArb,
  site: siteArb,
  internetFacing: fc.option(fc.boolean(), { nil: undefined, freq: 2 }),
  owaCustomized: fc.option(fc.boolean(), { nil: undefined, freq: 2 }),
  interimUpdates: interimUpdatesArb,
});

interface NodeSpec {
  readonly build: string;
  readonly interimUpdates: string[] | undefined;
  /** How this node spells the cluster name and the site (as is, upper or lower case): all valid. */
  readonly spelling: number;
}

interface ClusterSpec {
  readonly type: 'CCR' | 'SCC';
  readonly site: string | undefined;
  readonly active: number;
  readonly nodes: readonly NodeSpec[];
}

const nodeSpecArb: fc.Arbitrary<NodeSpec> = fc.record({
  build: buildArb,
  interimUpdates: interimUpdatesArb,
  spelling: fc.nat({ max: 2 }),
});

const clusterSpecArb = (type: ClusterSpec['type'], minNodes: number, maxNodes: number) =>
  fc
    .record({
      site: siteArb,
      active: fc.nat({ max: maxNodes - 1 }),
      nodes: fc.array(nodeSpecArb, { minLength: minNodes, maxLength: maxNodes }),
    })
    .map(({ site, active, nodes }): ClusterSpec => ({ type, site, active: active % nodes.length, nodes }));

const anyClusterSpecArb = fc.oneof(clusterSpecArb('CCR', 2, 2), clusterSpecArb('SCC', 2, 4));

interface FleetSpec {
  readonly standalone: readonly ServerSpec[];
  readonly clusters: readonly ClusterSpec[];
}

function namesNeeded(spec: FleetSpec): number {
  // Every server, plus a cluster name and a clustered mailbox server name per cluster: all distinct.
  return spec.standalone.length + spec.clusters.reduce((sum, cluster) => sum + cluster.nodes.length + 2, 0);
}

function nameTaker(names: readonly string[]): () => string {
  let next = 0;
  return () => {
    const name = names[next++];
    if (name === undefined) throw new Error('fleet arbitrary drew too few names');
    return name;
  };
}

function standaloneServer(name: string, spec: ServerSpec): InventoryServer {
  const isCas = spec.roles.includes('ClientAccess');
  return {
    name,
    build: spec.build,
    roles: spec.roles,
    ...(spec.site === undefined ? {} : { site: spec.site }),
    ...(isCas && spec.internetFacing !== undefined ? { internetFacing: spec.internetFacing } : {}),
    ...(isCas && spec.owaCustomized !== undefined ? { owaCustomized: spec.owaCustomized } : {}),
    ...(spec.interimUpdates === undefined ? {} : { interimUpdates: spec.interimUpdates }),
  };
}

function clusterNodes(spec: ClusterSpec, take: () => string): InventoryServer[] {
  const clusterName = take();
  const cms = take();
  return spec.nodes.map((node, index) => {
    const name = randomCase(clusterName, node.spelling);
    return {
      name: take(),
      build: node.build,
      roles: ['Mailbox'],
      ...(spec.site === undefined ? {} : { site: randomCase(spec.site, node.spelling) }),
      ...(node.interimUpdates === undefined ? {} : { interimUpdates: node.interimUpdates }),
      cluster:
        index === spec.active
          ? { type: spec.type, name, role: 'active', cms }
          : { type: spec.type, name, role: 'passive' },
    };
  });
}

function assemble(spec: FleetSpec, names: readonly string[]): InventoryServer[] {
  const take = nameTaker(names);
  return [
    ...spec.standalone.map((server) => standaloneServer(take(), server)),
    ...spec.clusters.flatMap((cluster) => clusterNodes(cluster, take)),
  ];
}

const lower = (text: string) => text.toLowerCase();

function permutationArb<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
}

/** Servers of a random fleet, in random order; names are unique among servers, cluster and CMS names. */
const fleetServersArb: fc.Arbitrary<InventoryServer[]> = fc
  .record({
    standalone: fc.array(serverSpecArb, { maxLength: 12 }),
    clusters: fc.array(anyClusterSpecArb, { maxLength: 3 }),
  })
  .chain((spec) => {
    const count = namesNeeded(spec);
    return fc
      .uniqueArray(netbiosNameArb, { minLength: count, maxLength: count, selector: lower })
      .map((names) => assemble(spec, names));
  })
  .chain(permutationArb);

const fleetArb: fc.Arbitrary<Inventory> = fleetServersArb.map((servers) => ({ servers }));

/** A fleet and a shuffled copy of it. */
const fleetAndShuffledArb = fleetServersArb.chain((servers) =>
  permutationArb(servers).map((shuffled): [Inventory, Inventory] => [{ servers }, { servers: shuffled }]),
);

/** A fleet and operators' Internet-facing pins on some of its servers (any role, any case). */
const fleetWithPinsArb: fc.Arbitrary<[Inventory, PlanPin[]]> = fleetArb.chain((inventory) => {
  const names = inventory.servers.map((server) => server.name);
  const pinArb = fc.record({
    name: names.length === 0 ? fc.constant('NONE') : fc.constantFrom(...names.map(lower)),
    internetFacing: fc.boolean(),
    pinnedBy: fc.constantFrom('noc', 'alice'),
  });
  return fc
    .uniqueArray(pinArb, { maxLength: 6, selector: (pin) => pin.name })
    .map((pins): [Inventory, PlanPin[]] => [inventory, pins]);
});

function randomCase(name: string, how: number): string {
  if (how === 1) return name.toUpperCase();
  if (how === 2) return name.toLowerCase();
  return name;
}

/**
 * A random selection. Names come from the inventory only (in random case): a selection naming an unknown
 * server is an error (SelectionError), not a narrower rollout.
 */
function selectionArb(inventory: Inventory): fc.Arbitrary<PlanSelection> {
  const known = inventory.servers.map((server) => server.name);
  const namesArb =
    known.length === 0
      ? fc.constant(undefined)
      : fc.option(
          fc.array(
            fc
              .tuple(fc.constantFrom(...known), fc.nat({ max: 2 }))
              .map(([name, how]) => randomCase(name, how)),
            { minLength: 1, maxLength: 4 },
          ),
          { nil: undefined, freq: 2 },
        );
  return fc
    .record({
      names: namesArb,
      sites: fc.option(fc.array(fc.constantFrom(...SITES, 'Nowhere'), { minLength: 1, maxLength: 3 }), {
        nil: undefined,
        freq: 2,
      }),
      roles: fc.option(fc.subarray([...EXCHANGE_ROLES], { minLength: 1 }), { nil: undefined, freq: 2 }),
    })
    .map(({ names, sites, roles }) => ({
      ...(names === undefined ? {} : { names }),
      ...(sites === undefined ? {} : { sites }),
      ...(roles === undefined ? {} : { roles }),
    }));
}

const fleetWithSelectionArb = fleetArb.chain((inventory) =>
  selectionArb(inventory).map((selection): [Inventory, PlanSelection] => [inventory, selection]),
);

// ---------------------------------------------------------------------------------------------------------
// Oracles: what the plan should say, computed from the inventory without the planner's code.

/** The verdict for a build on its own, from the release catalog (KB959241 is SP1 RU6). */
function verdictOfBuild(text: string): Verdict {
  const build = tryParseBuild(text);
  if (build?.major !== 8) return 'UNKNOWN_BUILD';
  if (build.minor === 0) return 'NOT_SP1';
  if (build.minor === 2 || build.minor === 3) return 'NEWER_SERVICE_PACK';
  if (build.minor !== 1) return 'UNKNOWN_BUILD';
  const release = SP1_RELEASES.find((entry) => parseBuild(entry.build).build === build.build);
  if (!release) return 'UNKNOWN_BUILD';
  return release.rollup < KB959241.rollup ? 'planned' : 'ALREADY_CURRENT';
}

const isExclusion = (verdict: Verdict) =>
  verdict !== 'planned' && verdict !== 'ALREADY_CURRENT' && verdict !== 'NOT_SELECTED';

/** Clustered servers by lower-cased cluster name. */
function clustersOf(servers: readonly InventoryServer[]): Map<string, InventoryServer[]> {
  const clusters = new Map<string, InventoryServer[]>();
  for (const server of servers) {
    if (!server.cluster) continue;
    const key = lower(server.cluster.name);
    clusters.set(key, [...(clusters.get(key) ?? []), server]);
  }
  return clusters;
}

function matchesSelection(server: InventoryServer, selection: PlanSelection): boolean {
  const within = (list: readonly string[], value: string) =>
    list.some((entry) => lower(entry) === lower(value));
  if (selection.names && !within(selection.names, server.name)) return false;
  if (selection.sites && (server.site === undefined || !within(selection.sites, server.site))) return false;
  if (selection.roles && !server.roles.some((role) => selection.roles?.includes(role))) return false;
  return true;
}

/** Lower-cased names of the servers a selection covers: direct matches, then whole clusters. */
function expectedSelection(servers: readonly InventoryServer[], selection: PlanSelection): Set<string> {
  const chosen = new Set(
    servers.filter((server) => matchesSelection(server, selection)).map((s) => lower(s.name)),
  );
  for (const nodes of clustersOf(servers).values())
    if (nodes.some((node) => chosen.has(lower(node.name))))
      for (const node of nodes) chosen.add(lower(node.name));
  return chosen;
}

/** The expected verdict of every server, by lower-cased name. */
function expectedVerdicts(
  servers: readonly InventoryServer[],
  selection?: PlanSelection,
): Map<string, Verdict> {
  const selected = selection ? expectedSelection(servers, selection) : undefined;
  const verdicts = new Map<string, Verdict>();
  for (const server of servers) {
    const key = lower(server.name);
    verdicts.set(key, selected && !selected.has(key) ? 'NOT_SELECTED' : verdictOfBuild(server.build));
  }
  for (const nodes of clustersOf(servers).values()) {
    if (!nodes.some((node) => isExclusion(verdicts.get(lower(node.name)) ?? 'planned'))) continue;
    for (const node of nodes)
      if (verdicts.get(lower(node.name)) === 'planned')
        verdicts.set(lower(node.name), 'CLUSTER_PEER_EXCLUDED');
  }
  return verdicts;
}

function expectedWave(server: InventoryServer): WaveName {
  if (!server.roles.includes('ClientAccess')) return 'remaining';
  return server.internetFacing === true ? 'cas-internet-facing' : 'cas-internal';
}

// ---------------------------------------------------------------------------------------------------------
// Reading a plan

const plannedServers = (plan: RolloutPlan): PlannedServer[] => plan.waves.flatMap((wave) => wave.servers);

/** Every name the plan mentions, with the verdict it gives (a name given twice appears twice). */
function actualVerdicts(plan: RolloutPlan): [string, Verdict][] {
  return [
    ...plannedServers(plan).map((server): [string, Verdict] => [server.name, 'planned']),
    ...plan.skipped.map((server): [string, Verdict] => [server.name, server.code]),
    ...plan.excluded.map((server): [string, Verdict] => [server.name, server.code]),
  ];
}

function verdictMap(plan: RolloutPlan): Map<string, Verdict> {
  return new Map(actualVerdicts(plan).map(([name, verdict]) => [lower(name), verdict]));
}

function indexByName(servers: readonly InventoryServer[]): Map<string, InventoryServer> {
  return new Map(servers.map((server) => [lower(server.name), server]));
}

function lookup(index: Map<string, InventoryServer>, name: string): InventoryServer {
  const server = index.get(lower(name));
  if (!server) throw new Error(`the plan names ${name}, which is not in the inventory`);
  return server;
}

function isSubsequence<T>(items: readonly T[], of: readonly T[]): boolean {
  let at = 0;
  for (const item of items) {
    at = of.indexOf(item, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

/** A cluster's planned nodes in a wave are one block of the remaining wave, its active node last. */
function expectClusterBlock(wave: PlanWave, nodes: readonly InventoryServer[]): void {
  const names = new Set(nodes.map((node) => lower(node.name)));
  const positions = wave.servers.flatMap((entry, at) => (names.has(lower(entry.name)) ? [at] : []));
  const first = positions[0];
  if (first === undefined) return;
  expect(wave.name).toBe('remaining');
  expect(positions).toEqual(positions.map((_, offset) => first + offset));
  const block = positions.map((at) => lower(wave.servers[at]?.name ?? ''));
  const active = nodes.find((node) => node.cluster?.role === 'active');
  if (active && block.includes(lower(active.name))) expect(block.at(-1)).toBe(lower(active.name));
}

/** Of a cluster's nodes that are not already current, either all are planned or none is. */
function expectNotSplit(result: RolloutPlan, nodes: readonly InventoryServer[]): void {
  const verdicts = verdictMap(result);
  const pending = nodes
    .map((node) => verdicts.get(lower(node.name)))
    .filter((verdict) => verdict !== 'ALREADY_CURRENT');
  const planned = pending.filter((verdict) => verdict === 'planned').length;
  expect(planned === 0 || planned === pending.length).toBe(true);
}

/** A CLUSTER_PEER_EXCLUDED reason names a node of the same cluster excluded on its own, and its code. */
function expectPeerReasonsNameABlocker(result: RolloutPlan, nodes: readonly InventoryServer[]): void {
  const names = new Set(nodes.map((node) => lower(node.name)));
  const ofCluster = result.excluded.filter((entry) => names.has(lower(entry.name)));
  const blockers = ofCluster.filter((entry) => entry.code !== 'CLUSTER_PEER_EXCLUDED');
  for (const entry of ofCluster)
    if (entry.code === 'CLUSTER_PEER_EXCLUDED')
      expect(blockers.some((b) => entry.reason.includes(b.name) && entry.reason.includes(b.code))).toBe(true);
}

const plan = (inventory: Inventory, selection?: PlanSelection): RolloutPlan =>
  planRollout(inventory, KB959241, selection ? { selection } : {});

// ---------------------------------------------------------------------------------------------------------
// Fixtures for two order-dependence bugs found by these properties (see the regressions below).

const FIXTURE_NAMES = new Set([
  'peer-a',
  'peer-b',
  'peer-c',
  'peer-cl',
  'peer-cms',
  'dup',
  'dup-n1',
  'dup-n2',
  'dup-cms',
]);

const fleetWithoutFixtureNamesArb = fleetServersArb.filter((servers) =>
  servers.every(
    (server) =>
      !FIXTURE_NAMES.has(lower(server.name)) &&
      !FIXTURE_NAMES.has(lower(server.cluster?.name ?? '')) &&
      !FIXTURE_NAMES.has(lower(server.cluster?.cms ?? '')),
  ),
);

function sccNode(name: string, build: string, site: string | undefined, cms?: string): InventoryServer {
  return {
    name,
    build,
    roles: ['Mailbox'],
    ...(site === undefined ? {} : { site }),
    cluster:
      cms === undefined
        ? { type: 'SCC', name: 'PEER-CL', role: 'passive' }
        : { type: 'SCC', name: 'PEER-CL', role: 'active', cms },
  };
}

/**
 * A fleet plus an SCC cluster whose two passive nodes are both excluded and whose active node could take the
 * update; the same inventory twice, the two excluded nodes listed in the other order.
 */
const twoBlockersArb = fc
  .record({
    rest: fleetWithoutFixtureNamesArb,
    site: siteArb,
    blockerA: excludedBuildArb,
    blockerB: excludedBuildArb,
    updatable: fc.constantFrom(...SP1_BEFORE_TARGET),
  })
  .map(({ rest, site, blockerA, blockerB, updatable }): [Inventory, Inventory] => {
    const a = sccNode('PEER-A', blockerA, site);
    const b = sccNode('PEER-B', blockerB, site);
    const c = sccNode('PEER-C', updatable, site, 'PEER-CMS');
    return [{ servers: [...rest, a, b, c] }, { servers: [...rest, b, a, c] }];
  });

/**
 * A fleet plus a standalone Hub Transport server DUP and a CCR cluster named dup in the same site, both to be
 * updated; the same inventory twice, with the standalone server listed first, then last.
 */
const clusterNamedLikeServerArb = fc
  .record({ rest: fleetWithoutFixtureNamesArb, build: fc.constantFrom(...SP1_BEFORE_TARGET) })
  .map(({ rest, build }): [Inventory, Inventory] => {
    const hub: InventoryServer = { name: 'DUP', build, roles: ['HubTransport'], site: 'HQ' };
    const nodes: InventoryServer[] = [
      {
        name: 'DUP-N1',
        build,
        roles: ['Mailbox'],
        site: 'HQ',
        cluster: { type: 'CCR', name: 'dup', role: 'active', cms: 'DUP-CMS' },
      },
      {
        name: 'DUP-N2',
        build,
        roles: ['Mailbox'],
        site: 'HQ',
        cluster: { type: 'CCR', name: 'dup', role: 'passive' },
      },
    ];
    return [{ servers: [hub, ...rest, ...nodes] }, { servers: [...nodes, ...rest, hub] }];
  });

// ---------------------------------------------------------------------------------------------------------

describe('planRollout over random fleets (KB959241)', () => {
  it('is fed valid inventories by its arbitraries', () => {
    fc.assert(
      fc.property(fleetArb, (inventory) => {
        expect(parseInventory(structuredClone(inventory))).toEqual(inventory);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(twoBlockersArb, clusterNamedLikeServerArb, ([one, two], [three, four]) => {
        for (const inventory of [one, two, three, four]) parseInventory(inventory);
      }),
      { numRuns: 20 },
    );
  });

  it('places every inventory server exactly once across waves, skipped and excluded', () => {
    fc.assert(
      fc.property(fleetArb, (inventory) => {
        const mentioned = actualVerdicts(plan(inventory)).map(([name]) => lower(name));
        expect(mentioned.sort()).toEqual(inventory.servers.map((server) => lower(server.name)).sort());
      }),
      RUNS,
    );
  });

  it('always has exactly the three waves, in order', () => {
    fc.assert(
      fc.property(fleetArb, (inventory) => {
        expect(plan(inventory).waves.map((wave) => wave.name)).toEqual([...WAVE_NAMES]);
      }),
      RUNS,
    );
  });

  it('puts Internet-facing CAS in wave 1, other CAS in wave 2, everything else in wave 3', () => {
    fc.assert(
      fc.property(fleetArb, (inventory) => {
        const index = indexByName(inventory.servers);
        for (const wave of plan(inventory).waves)
          for (const planned of wave.servers)
            expect(expectedWave(lookup(index, planned.name))).toBe(wave.name);
      }),
      RUNS,
    );
  });

  it('puts a pinned CAS in the wave its pin says, changes no verdict, and says why each CAS is in its wave', () => {
    fc.assert(
      fc.property(fleetWithPinsArb, ([inventory, pins]) => {
        const index = indexByName(inventory.servers);
        const pinOf = new Map(pins.map((pin) => [lower(pin.name), pin]));
        const result = planRollout(inventory, KB959241, {}, pins);
        expect(verdictMap(result)).toEqual(verdictMap(plan(inventory)));
        for (const wave of result.waves)
          for (const planned of wave.servers) {
            const server = lookup(index, planned.name);
            const pin = pinOf.get(lower(planned.name));
            const effective = pin ? { ...server, internetFacing: pin.internetFacing } : server;
            expect(expectedWave(effective)).toBe(wave.name);
            const isCas = server.roles.includes('ClientAccess');
            expect(planned.waveReason === undefined).toBe(!isCas);
            if (isCas && pin) expect(planned.waveReason).toMatch(new RegExp(`: pinned by ${pin.pinnedBy}$`));
          }
      }),
      RUNS,
    );
  });

  it('orders each wave by site, then by server or cluster name', () => {
    fc.assert(
      fc.property(fleetArb, (inventory) => {
        const index = indexByName(inventory.servers);
        for (const wave of plan(inventory).waves) {
          const keys = wave.servers.map((planned) => {
            const server = lookup(index, planned.name);
            return `${lower(server.site ?? '')}\u0000${lower(server.cluster?.name ?? server.name)}`;
          });
          expect(keys).toEqual([...keys].sort());
        }
      }),
      RUNS,
    );
  });

  it('decides eligibility from the build as the catalog says: plans SP1 before RU6 only', () => {
    fc.assert(
      fc.property(fleetArb, (inventory) => {
        const result = plan(inventory);
        const index = indexByName(inventory.servers);
        for (const planned of plannedServers(result)) {
          const server = lookup(index, planned.name);
          const build = parseBuild(server.build);
          expect(build.major).toBe(8);
          expect(build.minor).toBe(1);
          expect(compareBuilds(build, TARGET)).toBeLessThan(0);
          expect(planned.from).toBe(normalizeBuild(server.build));
        }
        const actual = verdictMap(result);
        for (const server of inventory.servers) {
          const verdict = actual.get(lower(server.name));
          const build = tryParseBuild(server.build);
          if (build?.major === 8 && build.minor === 0) expect(verdict).toBe('NOT_SP1');
          if (build?.major === 8 && (build.minor === 2 || build.minor === 3))
            expect(verdict).toBe('NEWER_SERVICE_PACK');
        }
        expect(actual).toEqual(expectedVerdicts(inventory.servers));
      }),
      RUNS,
    );
  });

  it('gives each planned server the steps it needs, in catalog order', () => {
    fc.assert(
      fc.property(fleetArb, (inventory) => {
        const index = indexByName(inventory.servers);
        for (const planned of plannedServers(plan(inventory))) {
          const server = lookup(index, planned.name);
          const steps = planned.steps;
          const has = (step: (typeof STEP_NAMES)[number]) => steps.includes(step);
          const owa = server.owaCustomized === true && server.roles.includes('ClientAccess');
          expect(isSubsequence(steps, STEP_NAMES)).toBe(true);
          expect(steps[0]).toBe('precheck');
          expect(steps.indexOf('verify')).toBeGreaterThan(steps.indexOf('install'));
          expect(has('install')).toBe(true);
          expect(has('backup-owa')).toBe(owa);
          expect(has('restore-owa')).toBe(owa);
          expect(has('remove-interim-updates')).toBe((server.interimUpdates?.length ?? 0) > 0);
          expect(has('move-cms')).toBe(server.cluster?.role === 'active');
          expect(has('move-cluster-group')).toBe(server.cluster !== undefined);
          expect(has('uninstall')).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('treats a cluster as one unit: consecutive, passive nodes first, active last, never split', () => {
    fc.assert(
      fc.property(fleetArb, (inventory) => {
        const result = plan(inventory);
        const index = indexByName(inventory.servers);
        for (const planned of plannedServers(result))
          expect(planned.cluster).toBe(lookup(index, planned.name).cluster?.name);
        for (const nodes of clustersOf(inventory.servers).values()) {
          for (const wave of result.waves) expectClusterBlock(wave, nodes);
          expectNotSplit(result, nodes);
          expectPeerReasonsNameABlocker(result, nodes);
        }
      }),
      RUNS,
    );
  });

  it('gives a deep-equal plan for a shuffled copy of the inventory', () => {
    fc.assert(
      fc.property(fleetAndShuffledArb, ([inventory, shuffled]) => {
        expect(plan(shuffled)).toEqual(plan(inventory));
      }),
      RUNS,
    );
  });

  // Regression: the CLUSTER_PEER_EXCLUDED reason named the first excluded node in inventory order, so with two
  // excluded nodes in one cluster the plan depended on the inventory's order.
  it('gives a deep-equal plan for a reordered inventory with two excluded nodes in one cluster', () => {
    fc.assert(
      fc.property(twoBlockersArb, ([inventory, reordered]) => {
        expect(plan(reordered)).toEqual(plan(inventory));
      }),
      REGRESSION_RUNS,
    );
  });

  // Regression: units were sorted by site and lower-cased name only; a cluster named like a standalone server in
  // the same site and wave tied with it, and the stable sort kept inventory order.
  it('gives a deep-equal plan for a reordered inventory with a cluster named like a server', () => {
    fc.assert(
      fc.property(clusterNamedLikeServerArb, ([inventory, reordered]) => {
        expect(plan(reordered)).toEqual(plan(inventory));
      }),
      REGRESSION_RUNS,
    );
  });

  it('skips every server outside the selection as NOT_SELECTED, and selects clusters whole', () => {
    fc.assert(
      fc.property(fleetWithSelectionArb, ([inventory, selection]) => {
        const result = plan(inventory, selection);
        const actual = verdictMap(result);
        expect(actualVerdicts(result)).toHaveLength(inventory.servers.length);
        expect(actual).toEqual(expectedVerdicts(inventory.servers, selection));
        const chosen = expectedSelection(inventory.servers, selection);
        for (const server of inventory.servers)
          if (!chosen.has(lower(server.name))) expect(actual.get(lower(server.name))).toBe('NOT_SELECTED');
        for (const nodes of clustersOf(inventory.servers).values()) {
          const unselected = nodes.filter((node) => actual.get(lower(node.name)) === 'NOT_SELECTED').length;
          expect(unselected === 0 || unselected === nodes.length).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------

const partArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 65535 }));
const anyBuildArb: fc.Arbitrary<Build> = fc.record({
  major: partArb,
  minor: partArb,
  build: partArb,
  revision: partArb,
});

describe('builds, property-based', () => {
  it('compareBuilds is a total order: reflexive, antisymmetric, transitive', () => {
    fc.assert(
      fc.property(anyBuildArb, anyBuildArb, anyBuildArb, (a, b, c) => {
        expect(compareBuilds(a, a)).toBe(0);
        expect(Math.sign(compareBuilds(a, b))).toBe(-Math.sign(compareBuilds(b, a)));
        if (compareBuilds(a, b) === 0) expect(b).toEqual(a);
        if (compareBuilds(a, b) <= 0 && compareBuilds(b, c) <= 0)
          expect(compareBuilds(a, c)).toBeLessThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('round-trips the zero-padded and the short form', () => {
    fc.assert(
      fc.property(anyBuildArb, (build) => {
        expect(parseBuild(formatBuildLong(build))).toEqual(build);
        expect(parseBuild(formatBuild(build))).toEqual(build);
        expect(normalizeBuild(` ${formatBuildLong(build)} `)).toBe(formatBuild(build));
      }),
      RUNS,
    );
  });
});
