import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { InventoryError } from '../errors.js';
import type { ClusterMembership, InventoryServer } from '../inventory/schema.js';
import { KB959241 } from '../updates/catalog.js';
import { WAVE_NAMES } from './names.js';
import { planRollout } from './plan.js';
import {
  type ExcludedServer,
  type PlannedServer,
  type PlanPolicy,
  type PlanStep,
  RolloutPlan,
  type SkippedServer,
  type WaveName,
} from './schema.js';

// Builds from reference part 1.
const SP1 = '8.1.240.6';
const SP1_RU = ['8.1.263.1', '8.1.278.2', '8.1.291.2', '8.1.311.3', '8.1.336.1'] as const;
const SP1_RU4 = '8.1.311.3';
const SP1_RU6 = '8.1.340.1';

/** A standalone Hub Transport server on SP1 RU4 in site HQ; override any field. */
function server(fields: Partial<InventoryServer> & Pick<InventoryServer, 'name'>): InventoryServer {
  return { build: SP1_RU4, roles: ['HubTransport'], site: 'HQ', ...fields };
}

/** A Client Access server (internal unless told otherwise). */
function cas(fields: Partial<InventoryServer> & Pick<InventoryServer, 'name'>): InventoryServer {
  return server({ roles: ['ClientAccess'], ...fields });
}

/** A Mailbox-only node of cluster `cluster` (CCR unless told otherwise); the active node hosts CMS-<cluster>. */
function node(
  name: string,
  cluster: Partial<ClusterMembership> & Pick<ClusterMembership, 'name' | 'role'>,
  fields: Partial<InventoryServer> = {},
): InventoryServer {
  const cms = cluster.role === 'active' ? { cms: `CMS-${cluster.name}` } : {};
  return server({ name, roles: ['Mailbox'], cluster: { type: 'CCR', ...cms, ...cluster }, ...fields });
}

const plan = (servers: readonly InventoryServer[], policy?: PlanPolicy): RolloutPlan =>
  planRollout({ servers: [...servers] }, KB959241, policy);

/** Names of the servers of one wave, in execution order. */
function waveNames(rollout: RolloutPlan, name: WaveName): string[] {
  const wave = rollout.waves.find((entry) => entry.name === name);
  if (!wave) throw new Error(`no wave ${name}`);
  return wave.servers.map((entry) => entry.name);
}

/** Every planned server, in execution order across waves. */
const plannedNames = (rollout: RolloutPlan): string[] =>
  rollout.waves.flatMap((wave) => wave.servers.map((entry) => entry.name));

/** The planned entry of one server; fails if the server is not in any wave. */
function planned(rollout: RolloutPlan, name: string): PlannedServer {
  const entry = rollout.waves.flatMap((wave) => wave.servers).find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`${name} is not planned`);
  return entry;
}

const stepsOf = (rollout: RolloutPlan, name: string): PlanStep[] => planned(rollout, name).steps;

function excludedEntry(rollout: RolloutPlan, name: string): ExcludedServer {
  const entry = rollout.excluded.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`${name} is not excluded`);
  return entry;
}

function skippedEntry(rollout: RolloutPlan, name: string): SkippedServer {
  const entry = rollout.skipped.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`${name} is not skipped`);
  return entry;
}

describe('planRollout: which servers take KB 959241', () => {
  it('sends a server on plain SP1 straight to RU6', () => {
    const rollout = plan([server({ name: 'HUB01', build: SP1 })]);
    expect(planned(rollout, 'HUB01')).toEqual({
      name: 'HUB01',
      from: SP1,
      steps: ['precheck', 'install', 'restart', 'verify'],
    });
    expect(rollout.skipped).toEqual([]);
    expect(rollout.excluded).toEqual([]);
  });

  it.each(SP1_RU.map((build, i) => [i + 1, build] as const))(
    'sends a server on SP1 RU%i (%s) straight to RU6, since RU6 is cumulative',
    (_rollup, build) => {
      const rollout = plan([server({ name: 'HUB01', build })]);
      expect(planned(rollout, 'HUB01')).toEqual({
        name: 'HUB01',
        from: build,
        steps: ['precheck', 'install', 'restart', 'verify'],
      });
    },
  );

  it('shows the starting build in short form when the inventory gives the zero-padded one', () => {
    expect(planned(plan([server({ name: 'HUB01', build: '08.01.0278.002' })]), 'HUB01').from).toBe(
      '8.1.278.2',
    );
  });

  it('names builds in short form in the reasons of skipped and excluded servers too', () => {
    const rollout = plan([
      server({ name: 'OLD01', build: '08.00.0685.025' }),
      server({ name: 'NEW01', build: '08.01.0359.002' }),
    ]);
    expect(excludedEntry(rollout, 'OLD01').reason).toContain('On 8.0.685.25 (Exchange 2007 RTM)');
    expect(skippedEntry(rollout, 'NEW01').reason).toContain('Already on 8.1.359.2 (Exchange 2007 SP1 RU7)');
  });

  it.each([
    ['RTM', '8.0.685.25'],
    ['RTM as KB 947168 reports it', '8.0.685.24'],
    ['RTM RU7', '8.0.813.0'],
  ])('excludes a server on %s (%s): it needs SP1 first, its rollup series is separate', (_label, build) => {
    const rollout = plan([server({ name: 'OLD01', build })]);
    expect(plannedNames(rollout)).toEqual([]);
    const entry = excludedEntry(rollout, 'OLD01');
    expect(entry.code).toBe('NOT_SP1');
    expect(entry.reason).toContain(build);
    expect(entry.reason).toContain('SP1');
    expect(entry.reason).toMatch(/Install SP1 first/);
  });

  it.each([
    ['SP2', '8.2.176.2'],
    ['SP2 RU5', '8.2.305.3'],
    ['SP3', '8.3.83.6'],
    ['SP3 RU8 v3', '8.3.279.6'],
  ])('excludes a server on %s (%s) as newer than SP1', (label, build) => {
    const entry = excludedEntry(plan([server({ name: 'NEW01', build })]), 'NEW01');
    expect(entry.code).toBe('NEWER_SERVICE_PACK');
    expect(entry.reason).toContain(`${build} (Exchange 2007 ${label})`);
  });

  it.each([
    ['SP1 RU6', SP1_RU6],
    ['SP1 RU6', '08.01.0340.001'],
    ['SP1 RU7', '8.1.359.2'],
    ['SP1 RU10', '8.1.436.0'],
  ])('skips a server already on %s (%s) as current', (label, build) => {
    const rollout = plan([server({ name: 'HUB01', build })]);
    expect(plannedNames(rollout)).toEqual([]);
    const entry = skippedEntry(rollout, 'HUB01');
    expect(entry.code).toBe('ALREADY_CURRENT');
    expect(entry.reason).toContain(label);
  });

  it.each([
    ['an SP1-looking build that matches no rollup', '8.1.999.0'],
    ['a build between two SP1 rollups', '8.1.300.0'],
    ['Exchange 2010', '14.0.639.21'],
    ['an unknown Exchange 8.x minor version', '8.4.100.0'],
  ])('excludes a server on %s and shows its build (%s)', (_what, build) => {
    const entry = excludedEntry(plan([server({ name: 'ODD01', build })]), 'ODD01');
    expect(entry.code).toBe('UNKNOWN_BUILD');
    expect(entry.reason).toContain(build);
    expect(entry.reason).toContain('ExSetup.exe');
  });
});

describe('planRollout: the steps of each server', () => {
  it('removes interim updates after the precheck and before the install', () => {
    const rollout = plan([
      server({ name: 'HUB01', interimUpdates: ['Interim Update for Exchange Server 2007 SP1 (KB956624)'] }),
      server({ name: 'HUB02', interimUpdates: [] }),
    ]);
    expect(stepsOf(rollout, 'HUB01')).toEqual([
      'precheck',
      'remove-interim-updates',
      'install',
      'restart',
      'verify',
    ]);
    expect(stepsOf(rollout, 'HUB02')).toEqual(['precheck', 'install', 'restart', 'verify']);
  });

  it('backs up customised OWA files before the install and restores them after the verify', () => {
    const rollout = plan([
      cas({ name: 'CAS01', owaCustomized: true }),
      cas({ name: 'CAS02', owaCustomized: false }),
      cas({ name: 'CAS03' }),
    ]);
    expect(stepsOf(rollout, 'CAS01')).toEqual([
      'precheck',
      'backup-owa',
      'install',
      'restart',
      'verify',
      'restore-owa',
    ]);
    expect(stepsOf(rollout, 'CAS02')).toEqual(['precheck', 'install', 'restart', 'verify']);
    expect(stepsOf(rollout, 'CAS03')).toEqual(['precheck', 'install', 'restart', 'verify']);
  });

  it('backs up OWA before removing interim updates on a customised CAS that has them', () => {
    const rollout = plan([cas({ name: 'CAS01', owaCustomized: true, interimUpdates: ['IU for KB956624'] })]);
    expect(stepsOf(rollout, 'CAS01')).toEqual([
      'precheck',
      'backup-owa',
      'remove-interim-updates',
      'install',
      'restart',
      'verify',
      'restore-owa',
    ]);
  });
});

describe('planRollout: waves', () => {
  const fleet = [
    server({ name: 'EDGE01', roles: ['Edge'], site: undefined }),
    server({ name: 'MBX01', roles: ['Mailbox'] }),
    cas({ name: 'CAS-INT01', internetFacing: false }),
    server({ name: 'UM01', roles: ['UnifiedMessaging'] }),
    cas({ name: 'CAS-EXT01', internetFacing: true }),
    server({ name: 'HUB01' }),
    cas({ name: 'CAS-INT02' }),
  ];

  it('patches Internet-facing CAS first, then internal CAS, then Hub, Mailbox, UM and Edge', () => {
    const rollout = plan(fleet);
    expect(rollout.waves.map((wave) => wave.name)).toEqual([
      'cas-internet-facing',
      'cas-internal',
      'remaining',
    ]);
    expect(waveNames(rollout, 'cas-internet-facing')).toEqual(['CAS-EXT01']);
    expect(waveNames(rollout, 'cas-internal')).toEqual(['CAS-INT01', 'CAS-INT02']);
    expect(waveNames(rollout, 'remaining')).toEqual(['EDGE01', 'HUB01', 'MBX01', 'UM01']);
  });

  it('puts a server with several roles in the earliest wave any of its roles belongs to', () => {
    const rollout = plan([
      cas({ name: 'CASHUB01', roles: ['HubTransport', 'ClientAccess'], internetFacing: true }),
      cas({ name: 'CASHUB02', roles: ['ClientAccess', 'HubTransport', 'Mailbox'] }),
    ]);
    expect(waveNames(rollout, 'cas-internet-facing')).toEqual(['CASHUB01']);
    expect(waveNames(rollout, 'cas-internal')).toEqual(['CASHUB02']);
    expect(waveNames(rollout, 'remaining')).toEqual([]);
  });

  it('always lists the three waves in order, even when some or all are empty', () => {
    const names = (rollout: RolloutPlan) => rollout.waves.map((wave) => wave.name);
    expect(plan([]).waves).toEqual(WAVE_NAMES.map((name) => ({ name, servers: [] })));
    expect(names(plan([server({ name: 'HUB01' })]))).toEqual([...WAVE_NAMES]);
    expect(
      plan([server({ name: 'HUB01', build: SP1_RU6 })]).waves.every((wave) => wave.servers.length === 0),
    ).toBe(true);
  });

  it('orders servers within a wave by site, then by name, ignoring case', () => {
    const rollout = plan([
      server({ name: 'hub02', site: 'Oslo' }),
      server({ name: 'HUB03', site: 'Bergen' }),
      server({ name: 'HUB01', site: 'Oslo' }),
      server({ name: 'hub04', site: 'bergen-dr' }),
      server({ name: 'Hub05', site: 'Bergen' }),
      server({ name: 'AAA01', site: 'Trondheim' }),
    ]);
    expect(waveNames(rollout, 'remaining')).toEqual(['HUB03', 'Hub05', 'hub04', 'HUB01', 'hub02', 'AAA01']);
  });

  it('gives the same plan whatever the order of the inventory', () => {
    const reversed = [...fleet].reverse();
    expect(plan(reversed)).toEqual(plan(fleet));
  });
});

describe('planRollout: clusters', () => {
  it('patches the passive CCR node first, then the active one, which moves its mailbox server and cluster group off before the install', () => {
    const rollout = plan([
      node('MBX-A', { name: 'CCR01', role: 'active' }),
      node('MBX-B', { name: 'CCR01', role: 'passive' }),
    ]);
    expect(waveNames(rollout, 'remaining')).toEqual(['MBX-B', 'MBX-A']);
    expect(planned(rollout, 'MBX-B')).toEqual({
      name: 'MBX-B',
      from: SP1_RU4,
      cluster: 'CCR01',
      steps: ['precheck', 'move-cluster-group', 'install', 'restart', 'verify'],
    });
    expect(planned(rollout, 'MBX-A')).toEqual({
      name: 'MBX-A',
      from: SP1_RU4,
      cluster: 'CCR01',
      steps: ['precheck', 'move-cms', 'move-cluster-group', 'install', 'restart', 'verify'],
    });
  });

  it('empties a cluster node before removing its interim updates', () => {
    const rollout = plan([
      node('MBX-A', { name: 'CCR01', role: 'active' }, { interimUpdates: ['IU for KB956624'] }),
      node('MBX-B', { name: 'CCR01', role: 'passive' }),
    ]);
    expect(stepsOf(rollout, 'MBX-A')).toEqual([
      'precheck',
      'move-cms',
      'move-cluster-group',
      'remove-interim-updates',
      'install',
      'restart',
      'verify',
    ]);
  });

  it('patches both passive SCC nodes before the active node, as one uninterrupted run', () => {
    const scc = { name: 'SCC01', type: 'SCC' } as const;
    const rollout = plan([
      server({ name: 'ZZZ01', roles: ['Mailbox'] }),
      node('NODE-B', { ...scc, role: 'active' }),
      server({ name: 'NODE-AB' }),
      node('NODE-C', { ...scc, role: 'passive' }),
      server({ name: 'AAA01' }),
      node('NODE-A', { ...scc, role: 'passive' }),
      server({ name: 'SCC02' }),
    ]);
    expect(waveNames(rollout, 'remaining')).toEqual([
      'AAA01',
      'NODE-AB',
      'NODE-A',
      'NODE-C',
      'NODE-B',
      'SCC02',
      'ZZZ01',
    ]);
    expect(stepsOf(rollout, 'NODE-A')).toEqual([
      'precheck',
      'move-cluster-group',
      'install',
      'restart',
      'verify',
    ]);
    expect(stepsOf(rollout, 'NODE-B')).toEqual([
      'precheck',
      'move-cms',
      'move-cluster-group',
      'install',
      'restart',
      'verify',
    ]);
  });

  it.each([
    ['an unknown build', '8.1.999.0', 'UNKNOWN_BUILD'],
    ['RTM', '8.0.685.25', 'NOT_SP1'],
    ['SP2', '8.2.176.2', 'NEWER_SERVICE_PACK'],
  ])('leaves a whole cluster alone when one of its nodes is on %s', (_what, build, code) => {
    const rollout = plan([
      node('MBX-A', { name: 'CCR01', role: 'active' }),
      node('MBX-B', { name: 'CCR01', role: 'passive' }, { build }),
      server({ name: 'HUB01' }),
    ]);
    expect(plannedNames(rollout)).toEqual(['HUB01']);
    expect(excludedEntry(rollout, 'MBX-B').code).toBe(code);
    const peer = excludedEntry(rollout, 'MBX-A');
    expect(peer.code).toBe('CLUSTER_PEER_EXCLUDED');
    expect(peer.reason).toContain('MBX-B');
    expect(peer.reason).toContain('CCR01');
    expect(peer.reason).toContain(code);
  });

  it('excludes every other node of an SCC cluster when one node cannot take the update', () => {
    const scc = { name: 'SCC01', type: 'SCC' } as const;
    const rollout = plan([
      node('NODE-A', { ...scc, role: 'passive' }),
      node('NODE-B', { ...scc, role: 'active' }),
      node('NODE-C', { ...scc, role: 'passive' }, { build: '14.0.639.21' }),
    ]);
    expect(plannedNames(rollout)).toEqual([]);
    expect(rollout.excluded.map((entry) => [entry.name, entry.code])).toEqual([
      ['NODE-A', 'CLUSTER_PEER_EXCLUDED'],
      ['NODE-B', 'CLUSTER_PEER_EXCLUDED'],
      ['NODE-C', 'UNKNOWN_BUILD'],
    ]);
  });

  it('patches only the active node when the passive node is already current, still moving the mailbox server off it', () => {
    const rollout = plan([
      node('MBX-A', { name: 'CCR01', role: 'active' }),
      node('MBX-B', { name: 'CCR01', role: 'passive' }, { build: SP1_RU6 }),
    ]);
    expect(plannedNames(rollout)).toEqual(['MBX-A']);
    expect(stepsOf(rollout, 'MBX-A')).toEqual([
      'precheck',
      'move-cms',
      'move-cluster-group',
      'install',
      'restart',
      'verify',
    ]);
    expect(skippedEntry(rollout, 'MBX-B').code).toBe('ALREADY_CURRENT');
  });

  it('refuses to plan from an inventory whose cluster is inconsistent', () => {
    const inventory = {
      servers: [
        node('MBX-A', { name: 'CCR01', role: 'active' }),
        node('MBX-B', { name: 'CCR01', role: 'active', cms: 'CMS-CCR01' }),
      ],
    };
    expect(() => planRollout(inventory, KB959241)).toThrow(InventoryError);
    expect(() => planRollout(inventory, KB959241)).toThrow(
      expect.objectContaining({
        code: 'CORE_ERR_INVENTORY_INVALID',
        issues: [expect.objectContaining({ index: 1, server: 'MBX-B', field: 'cluster.role' })],
      }),
    );
  });

  it('refuses to plan from an inventory with a cluster whose nodes are in different sites', () => {
    const inventory = {
      servers: [
        node('MBX-A', { name: 'CCR01', role: 'active' }, { site: 'HQ' }),
        node('MBX-B', { name: 'CCR01', role: 'passive' }, { site: 'DR' }),
      ],
    };
    expect(() => planRollout(inventory, KB959241)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ server: 'MBX-B', field: 'site' })] }),
    );
  });
});

describe('planRollout: selection', () => {
  const fleet = [
    cas({ name: 'SEA-CAS01', site: 'Seattle', internetFacing: true }),
    server({ name: 'SEA-HUB01', site: 'Seattle' }),
    server({ name: 'SEA-MBX01', site: 'Seattle', roles: ['Mailbox'] }),
    cas({ name: 'LON-CAS01', site: 'London', internetFacing: true }),
    server({ name: 'LON-HUB01', site: 'London' }),
    node('LON-MBX-A', { name: 'LONCCR', role: 'active' }, { site: 'London' }),
    node('LON-MBX-B', { name: 'LONCCR', role: 'passive' }, { site: 'London' }),
  ];

  it('patches only the servers named, matching names in any case, and skips the rest as not selected', () => {
    const rollout = plan(fleet, { selection: { names: ['sea-cas01', 'LON-HUB01'] } });
    expect(plannedNames(rollout)).toEqual(['SEA-CAS01', 'LON-HUB01']);
    expect(rollout.skipped.map((entry) => [entry.name, entry.code])).toEqual([
      ['LON-CAS01', 'NOT_SELECTED'],
      ['LON-MBX-A', 'NOT_SELECTED'],
      ['LON-MBX-B', 'NOT_SELECTED'],
      ['SEA-HUB01', 'NOT_SELECTED'],
      ['SEA-MBX01', 'NOT_SELECTED'],
    ]);
    expect(skippedEntry(rollout, 'SEA-HUB01').reason).toContain('names sea-cas01, LON-HUB01');
  });

  it('refuses a selection that names a server the inventory does not hold, rather than patching nothing', () => {
    expect(() => plan(fleet, { selection: { names: ['SEA-CAS01', 'SEA-CAS99'] } })).toThrow(
      expect.objectContaining({ code: 'CORE_ERR_SELECTION_UNKNOWN_SERVER', unknownNames: ['SEA-CAS99'] }),
    );
  });

  it('patches only the servers of the sites selected', () => {
    const rollout = plan(fleet, { selection: { sites: ['seattle'] } });
    expect(plannedNames(rollout)).toEqual(['SEA-CAS01', 'SEA-HUB01', 'SEA-MBX01']);
    expect(rollout.skipped.every((entry) => entry.code === 'NOT_SELECTED')).toBe(true);
    expect(rollout.skipped).toHaveLength(4);
  });

  it('patches a server with any of the roles selected', () => {
    const rollout = plan(fleet, { selection: { roles: ['ClientAccess', 'HubTransport'] } });
    expect(plannedNames(rollout)).toEqual(['LON-CAS01', 'SEA-CAS01', 'LON-HUB01', 'SEA-HUB01']);
  });

  it('patches only the servers that match every list given (names, sites and roles)', () => {
    const rollout = plan(fleet, {
      selection: { sites: ['London', 'Seattle'], roles: ['HubTransport'], names: ['SEA-HUB01', 'SEA-CAS01'] },
    });
    expect(plannedNames(rollout)).toEqual(['SEA-HUB01']);
    expect(skippedEntry(rollout, 'SEA-CAS01').reason).toContain(
      'names SEA-HUB01, SEA-CAS01; sites London, Seattle; roles HubTransport',
    );
  });

  it('takes a whole cluster when one of its nodes is selected', () => {
    const rollout = plan(fleet, { selection: { names: ['LON-MBX-A'] } });
    expect(plannedNames(rollout)).toEqual(['LON-MBX-B', 'LON-MBX-A']);
    expect(skippedEntry(rollout, 'SEA-MBX01').code).toBe('NOT_SELECTED');
  });

  it('reports a server outside the selection as not selected even when it could not take the update anyway', () => {
    const rollout = plan([server({ name: 'HUB01' }), server({ name: 'OLD01', build: '8.0.685.25' })], {
      selection: { names: ['HUB01'] },
    });
    expect(rollout.excluded).toEqual([]);
    expect(skippedEntry(rollout, 'OLD01').code).toBe('NOT_SELECTED');
  });
});

describe('planRollout: the plan as JSON', () => {
  const fleet = [
    cas({ name: 'CAS01', internetFacing: true, owaCustomized: true, build: SP1 }),
    server({ name: 'HUB01', build: '08.01.0336.001' }),
    server({ name: 'HUB02', build: SP1_RU6 }),
    server({ name: 'OLD01', build: '8.0.685.25' }),
    server({ name: 'UM01', roles: ['UnifiedMessaging'], site: 'DR' }),
    node('MBX-A', { name: 'CCR01', role: 'active' }),
    node('MBX-B', { name: 'CCR01', role: 'passive' }),
  ];

  it('has the shape the API and the CLI print: update, three waves, skipped and excluded with reasons', () => {
    const rollout = plan(fleet, { selection: { sites: ['HQ'] } });
    const reason = expect.any(String);
    expect(JSON.parse(JSON.stringify(rollout))).toEqual({
      update: { kb: '959241', build: '8.1.340.1' },
      waves: [
        {
          name: 'cas-internet-facing',
          servers: [
            {
              name: 'CAS01',
              from: SP1,
              steps: ['precheck', 'backup-owa', 'install', 'restart', 'verify', 'restore-owa'],
              waveReason: 'Internet-facing: OWA ExternalUrl set',
            },
          ],
        },
        { name: 'cas-internal', servers: [] },
        {
          name: 'remaining',
          servers: [
            {
              name: 'MBX-B',
              from: SP1_RU4,
              cluster: 'CCR01',
              steps: ['precheck', 'move-cluster-group', 'install', 'restart', 'verify'],
            },
            {
              name: 'MBX-A',
              from: SP1_RU4,
              cluster: 'CCR01',
              steps: ['precheck', 'move-cms', 'move-cluster-group', 'install', 'restart', 'verify'],
            },
            { name: 'HUB01', from: '8.1.336.1', steps: ['precheck', 'install', 'restart', 'verify'] },
          ],
        },
      ],
      skipped: [
        { name: 'HUB02', code: 'ALREADY_CURRENT', reason },
        { name: 'UM01', code: 'NOT_SELECTED', reason },
      ],
      excluded: [{ name: 'OLD01', code: 'NOT_SP1', reason }],
    });
  });

  it('validates against the RolloutPlan schema', () => {
    const rollouts = [
      plan(fleet),
      plan([]),
      plan(fleet, { selection: { roles: ['Edge'] } }),
      plan([...fleet, server({ name: 'ODD01', build: '14.0.639.21' })]),
    ];
    for (const rollout of rollouts) expect(Value.Check(RolloutPlan, rollout)).toBe(true);
  });

  it('gives every server of the inventory exactly one place: a wave, skipped or excluded', () => {
    const rollout = plan([
      ...fleet,
      node('MBX-C', { name: 'CCR02', role: 'active' }, { build: '8.1.999.0' }),
    ]);
    const everywhere = [
      ...plannedNames(rollout),
      ...rollout.skipped.map((entry) => entry.name),
      ...rollout.excluded.map((entry) => entry.name),
    ];
    expect(everywhere.sort()).toEqual([...fleet.map((entry) => entry.name), 'MBX-C'].sort());
  });

  it('lists skipped and excluded servers by name', () => {
    const rollout = plan([
      server({ name: 'zeta', build: SP1_RU6 }),
      server({ name: 'Alpha', build: SP1_RU6 }),
      server({ name: 'mid', build: '8.3.83.6' }),
      server({ name: 'Beta', build: '8.0.685.25' }),
    ]);
    expect(rollout.skipped.map((entry) => entry.name)).toEqual(['Alpha', 'zeta']);
    expect(rollout.excluded.map((entry) => entry.name)).toEqual(['Beta', 'mid']);
  });
});
