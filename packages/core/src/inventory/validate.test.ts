import { describe, expect, it } from 'vitest';
import { formatInventoryIssue, InventoryError, type InventoryIssue } from '../errors.js';
import type { ClusterMembership, InventoryServer } from './schema.js';
import { parseInventory } from './validate.js';

/** A valid standalone server record, as raw JSON: override any field, with any value, or add unknown ones. */
function server(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'EX01', build: '8.1.311.3', roles: ['HubTransport'], ...fields };
}

/** A Mailbox-only cluster node of cluster `cluster`. */
function node(
  name: string,
  cluster: Partial<ClusterMembership> & Pick<ClusterMembership, 'role'>,
  fields: Partial<InventoryServer> = {},
): Record<string, unknown> {
  const cms = cluster.role === 'active' ? { cms: 'CMS01' } : {};
  return server({
    name,
    roles: ['Mailbox'],
    site: 'HQ',
    cluster: { type: 'CCR', name: 'CLUSTER01', ...cms, ...cluster },
    ...fields,
  });
}

const inventory = (...servers: unknown[]) => ({ servers });

/** The issues parseInventory reports for a value; fails if it accepts the value or throws anything else. */
function issuesOf(value: unknown): readonly InventoryIssue[] {
  try {
    parseInventory(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    expect(error).toMatchObject({ code: 'CORE_ERR_INVENTORY_INVALID' });
    return (error as InventoryError).issues;
  }
  throw new Error('parseInventory accepted an invalid inventory');
}

/** The issues as the administrator reads them, one line each. */
const linesOf = (value: unknown): string[] => issuesOf(value).map(formatInventoryIssue);

const NETBIOS_HINT = 'must be a Windows computer name: 1-15 letters, digits or hyphens';
const BUILD_HINT =
  'must be a four-part build such as 8.1.340.1 or 08.01.0340.001 (the ExSetup.exe file version)';

describe('parseInventory: a good inventory', () => {
  it('accepts standalone servers, a CCR pair and an SCC cluster, and returns them unchanged', () => {
    const value = inventory(
      server({
        name: 'CAS01',
        fqdn: 'cas01.contoso.com',
        site: 'HQ',
        roles: ['ClientAccess', 'HubTransport'],
        internetFacing: true,
        owaCustomized: true,
        interimUpdates: ['Interim Update for Exchange Server 2007 SP1 (KB956624)'],
      }),
      server({ name: 'EDGE01', build: '08.01.0340.001', roles: ['Edge'] }),
      server({ name: 'UM01', roles: ['UnifiedMessaging'] }),
      node('MBX-A', { role: 'active' }),
      node('MBX-B', { role: 'passive' }),
      node('SCC-1', { type: 'SCC', name: 'SCC01', role: 'active', cms: 'CMS02' }),
      node('SCC-2', { type: 'SCC', name: 'SCC01', role: 'passive' }),
      node('SCC-3', { type: 'SCC', name: 'scc01', role: 'passive' }),
    );
    expect(parseInventory(value)).toEqual(value);
  });

  it('accepts an empty fleet', () => {
    expect(parseInventory({ servers: [] })).toEqual({ servers: [] });
  });

  it('accepts the longest NetBIOS name (15 characters) and names with hyphens and digits', () => {
    expect(() =>
      parseInventory(inventory(server({ name: 'ABCDEFGHIJKLMNO' }), server({ name: '1-SEA-CAS' }))),
    ).not.toThrow();
  });
});

describe('parseInventory: the shape of the file', () => {
  it('refuses something that is not an object', () => {
    expect(linesOf('servers')).toEqual(['inventory: must be an object (got a string)']);
    expect(linesOf(null)).toEqual(['inventory: must be an object (got null)']);
    expect(linesOf([server()])).toEqual(['inventory: must be an object (got an array)']);
  });

  it('requires a servers list', () => {
    expect(issuesOf({})).toEqual([{ field: 'servers', message: 'is required' }]);
    expect(linesOf({ servers: {} })).toEqual(['servers: must be an array (got an object)']);
  });

  it('names an unknown top-level field', () => {
    expect(linesOf({ servers: [], server: [] })).toEqual(['server: is not a known field']);
  });
});

describe('parseInventory: one server record', () => {
  it('names every missing required field, with the server position and, where it has one, its name', () => {
    expect(
      issuesOf(inventory(server(), { name: 'CAS01' }, { build: '8.1.240.6', roles: ['Mailbox'] })),
    ).toEqual([
      { index: 1, server: 'CAS01', field: 'build', message: 'is required' },
      { index: 1, server: 'CAS01', field: 'roles', message: 'is required' },
      { index: 2, field: 'name', message: 'is required' },
    ]);
    expect(linesOf(inventory({ name: 'CAS01', roles: ['ClientAccess'] }))).toEqual([
      'servers[0] "CAS01": build: is required',
    ]);
    expect(linesOf(inventory({ build: '8.1.240.6', roles: ['Mailbox'] }))).toEqual([
      'servers[0]: name: is required',
    ]);
  });

  it('says which type each field should have and which it got', () => {
    expect(
      linesOf(
        inventory(
          server({
            name: 'MBX01',
            build: 8.1,
            roles: 'Mailbox',
            internetFacing: 'yes',
            interimUpdates: 'KB956624',
          }),
        ),
      ),
    ).toEqual([
      'servers[0] "MBX01": build: must be a string (got a number)',
      'servers[0] "MBX01": roles: must be an array (got a string)',
      'servers[0] "MBX01": internetFacing: must be a boolean (got a string)',
      'servers[0] "MBX01": interimUpdates: must be an array (got a string)',
    ]);
  });

  it('refuses a server record that is not an object', () => {
    expect(issuesOf(inventory(server(), 'CAS02'))).toEqual([
      { index: 1, field: 'server', message: 'must be an object (got a string)' },
    ]);
  });

  it('does not use a non-string name to name the server in the message', () => {
    expect(issuesOf(inventory(server({ name: 42 })))).toEqual([
      { index: 0, field: 'name', message: 'must be a string (got a number)' },
    ]);
  });

  it('refuses an unknown field and suggests the right spelling of a case typo (internetfacing)', () => {
    expect(
      linesOf(
        inventory(server({ name: 'CAS01', roles: ['ClientAccess'], internetfacing: true, colour: 'red' })),
      ),
    ).toEqual([
      'servers[0] "CAS01": internetfacing: is not a known field (did you mean "internetFacing"?)',
      'servers[0] "CAS01": colour: is not a known field',
    ]);
  });

  it('suggests the right spelling inside the cluster record too', () => {
    const record = node('MBX01', { role: 'active' });
    const cluster = { type: 'CCR', name: 'CLUSTER01', role: 'active', CMS: 'CMS01' };
    expect(linesOf(inventory({ ...record, cluster }))).toContain(
      'servers[0] "MBX01": cluster.CMS: is not a known field (did you mean "cms"?)',
    );
  });

  it.each([
    ['longer than 15 characters', 'ABCDEFGHIJKLMNOP', `${NETBIOS_HINT} (it has 16 characters)`],
    ['with an underscore', 'CAS_01', NETBIOS_HINT],
    ['with a non-ASCII letter', 'CÄS01', NETBIOS_HINT],
    ['with a dot (an FQDN)', 'cas01.contoso', NETBIOS_HINT],
    [
      'starting with a hyphen',
      '-CAS01',
      `${NETBIOS_HINT}, not starting or ending with a hyphen (a DNS host name rule)`,
    ],
    [
      'ending with a hyphen',
      'CAS01-',
      `${NETBIOS_HINT}, not starting or ending with a hyphen (a DNS host name rule)`,
    ],
    ['of digits only', '2007', `${NETBIOS_HINT}, not all digits: Windows refuses a numeric computer name`],
    ['that is a device name', 'CON', `${NETBIOS_HINT}; CON is a device name Windows reserves in every path`],
    [
      'that is a device name in lower case',
      'nul',
      `${NETBIOS_HINT}; NUL is a device name Windows reserves in every path`,
    ],
    ['that is a port name', 'Com1', `${NETBIOS_HINT}; COM1 is a device name Windows reserves in every path`],
    ['that is a reserved word', 'Server', `${NETBIOS_HINT}; SERVER is a word Windows reserves for names`],
  ])('refuses a server name %s, saying why Windows would', (_why, name, message) => {
    expect(issuesOf(inventory(server({ name })))).toEqual([
      { index: 0, server: name, field: 'name', message: `${message} (got ${JSON.stringify(name)})` },
    ]);
  });

  it('accepts names that only look like reserved ones', () => {
    const names = ['CON1', 'COM10', 'LPT0', 'NULL1', 'SERVER01', '2007-HUB', 'A1-2', '1A'];
    expect(() => parseInventory(inventory(...names.map((name) => server({ name }))))).not.toThrow();
  });

  it('refuses an empty server name without naming the server by it', () => {
    expect(issuesOf(inventory(server({ name: '' })))).toEqual([
      { index: 0, field: 'name', message: `${NETBIOS_HINT} (got "")` },
    ]);
  });

  it('refuses a clustered mailbox server name that is not a NetBIOS name', () => {
    expect(linesOf(inventory(node('MBX01', { role: 'active', cms: 'CMS_01' })))).toEqual([
      `servers[0] "MBX01": cluster.cms: ${NETBIOS_HINT} (got "CMS_01")`,
    ]);
  });

  it.each(['8.1.340', 'latest', '8.1.340.1.0', 'SP1 RU5', '8,1,340,1'])(
    'refuses the build %j and shows the expected form',
    (build) => {
      expect(linesOf(inventory(server({ name: 'HUB01', build })))).toEqual([
        `servers[0] "HUB01": build: ${BUILD_HINT} (got ${JSON.stringify(build)})`,
      ]);
    },
  );

  // A Windows file version is four 16-bit numbers; parseBuild refuses 65536, so the inventory does too.
  it('refuses a build with a part above 65535, which no file version can have', () => {
    expect(linesOf(inventory(server({ name: 'HUB01', build: '8.1.65536.0' })))).toEqual([
      `servers[0] "HUB01": build: ${BUILD_HINT} (got "8.1.65536.0")`,
    ]);
  });

  it('refuses an unknown role and lists the five Exchange 2007 roles', () => {
    expect(linesOf(inventory(server({ name: 'EX01', roles: ['Mailbox', 'Fax'] })))).toEqual([
      'servers[0] "EX01": roles[1]: must be one of Mailbox, ClientAccess, HubTransport, UnifiedMessaging, Edge (got "Fax")',
    ]);
  });

  it('refuses a role written in the wrong case rather than guessing', () => {
    expect(linesOf(inventory(server({ name: 'EX01', roles: ['mailbox'] })))).toEqual([
      'servers[0] "EX01": roles[0]: must be one of Mailbox, ClientAccess, HubTransport, UnifiedMessaging, Edge (got "mailbox")',
    ]);
  });

  it('refuses a role listed twice', () => {
    expect(
      linesOf(inventory(server({ name: 'EX01', roles: ['Mailbox', 'HubTransport', 'Mailbox'] }))),
    ).toEqual(['servers[0] "EX01": roles: must not list the same value twice']);
  });

  it('refuses a server with no role', () => {
    expect(issuesOf(inventory(server({ name: 'EX01', roles: [] })))).toEqual([
      expect.objectContaining({ index: 0, server: 'EX01', field: 'roles' }),
    ]);
  });

  it('reports the problems of every server at once, not only the first', () => {
    const issues = issuesOf(
      inventory(server({ name: 'A_1' }), server({ name: 'OK01' }), server({ name: 'B', build: 'x' })),
    );
    expect(issues.map((issue) => [issue.index, issue.field])).toEqual([
      [0, 'name'],
      [2, 'build'],
    ]);
  });
});

describe('parseInventory: consistency across servers', () => {
  it('refuses two servers whose names differ only in case, naming both', () => {
    const issues = issuesOf(
      inventory(server({ name: 'CAS01' }), server({ name: 'HUB01' }), server({ name: 'cas01' })),
    );
    expect(issues).toEqual([
      {
        index: 2,
        server: 'cas01',
        field: 'name',
        message: 'duplicates servers[0] "CAS01" (names are compared case-insensitively)',
      },
    ]);
    expect(formatInventoryIssue(issues[0] ?? { field: '', message: '' })).toBe(
      'servers[2] "cas01": name: duplicates servers[0] "CAS01" (names are compared case-insensitively)',
    );
  });

  it('refuses an Edge Transport server that runs another role', () => {
    expect(linesOf(inventory(server({ name: 'EDGE01', roles: ['Edge', 'HubTransport'] })))).toEqual([
      'servers[0] "EDGE01": roles: an Edge Transport server runs no other role',
    ]);
  });

  it('refuses internetFacing on a server without the Client Access role', () => {
    expect(
      linesOf(inventory(server({ name: 'HUB01', roles: ['HubTransport'], internetFacing: true }))),
    ).toEqual([
      'servers[0] "HUB01": internetFacing: applies to Client Access servers only; this server has no ClientAccess role',
    ]);
  });

  it('refuses internetFacing: false on a non-CAS server too, since it means nothing there', () => {
    expect(issuesOf(inventory(server({ name: 'HUB01', internetFacing: false })))).toEqual([
      expect.objectContaining({ server: 'HUB01', field: 'internetFacing' }),
    ]);
  });

  it('refuses owaCustomized on a server without the Client Access role', () => {
    expect(linesOf(inventory(server({ name: 'MBX01', roles: ['Mailbox'], owaCustomized: true })))).toEqual([
      'servers[0] "MBX01": owaCustomized: applies to Client Access servers only; OWA files live on Client Access servers',
    ]);
  });
});

describe('parseInventory: clusters', () => {
  it('refuses a cluster node that runs a role besides Mailbox', () => {
    expect(
      linesOf(
        inventory(
          node('MBX-A', { role: 'active' }, { roles: ['Mailbox', 'HubTransport'] }),
          node('MBX-B', { role: 'passive' }),
        ),
      ),
    ).toEqual([
      'servers[0] "MBX-A": roles: a clustered mailbox server node runs the Mailbox role only (found Mailbox, HubTransport)',
    ]);
  });

  it('refuses a cluster node without the Mailbox role', () => {
    expect(
      issuesOf(
        inventory(
          node('MBX-A', { role: 'active' }),
          node('MBX-B', { role: 'passive' }, { roles: ['HubTransport'] }),
        ),
      ),
    ).toEqual([expect.objectContaining({ index: 1, server: 'MBX-B', field: 'roles' })]);
  });

  it('requires the active node to name its clustered mailbox server', () => {
    const active = node('MBX-A', { role: 'active' });
    const { cms: _cms, ...cluster } = active.cluster as ClusterMembership;
    expect(linesOf(inventory({ ...active, cluster }, node('MBX-B', { role: 'passive' })))).toEqual([
      'servers[0] "MBX-A": cluster.cms: the active node must name the clustered mailbox server it hosts',
    ]);
  });

  it('refuses a passive node that names a clustered mailbox server', () => {
    expect(
      linesOf(inventory(node('MBX-A', { role: 'active' }), node('MBX-B', { role: 'passive', cms: 'CMS01' }))),
    ).toEqual([
      'servers[1] "MBX-B": cluster.cms: a passive node hosts no clustered mailbox server, yet names "CMS01"',
    ]);
  });

  it('refuses a cluster with two active nodes, naming both', () => {
    expect(
      linesOf(inventory(node('MBX-A', { role: 'active' }), node('MBX-B', { role: 'active', cms: 'CMS01' }))),
    ).toEqual([
      'servers[1] "MBX-B": cluster.role: cluster CLUSTER01 has 2 active nodes (MBX-A, MBX-B); exactly one hosts the clustered mailbox server',
    ]);
  });

  it('refuses a cluster with no active node rather than guessing which node hosts the mailbox server', () => {
    expect(
      linesOf(inventory(node('MBX-A', { role: 'passive' }), node('MBX-B', { role: 'passive' }))),
    ).toEqual([
      'servers[0] "MBX-A": cluster.role: cluster CLUSTER01 has no active node among MBX-A, MBX-B; report the node that hosts the clustered mailbox server',
    ]);
  });

  it('refuses a CCR cluster with three nodes', () => {
    expect(
      linesOf(
        inventory(
          node('MBX-A', { role: 'active' }),
          node('MBX-B', { role: 'passive' }),
          node('MBX-C', { role: 'passive' }),
        ),
      ),
    ).toEqual([
      'servers[0] "MBX-A": cluster.name: CCR cluster CLUSTER01 has 3 nodes (MBX-A, MBX-B, MBX-C); a CCR cluster has two',
    ]);
  });

  it('refuses nodes of one cluster in different Active Directory sites', () => {
    expect(
      linesOf(
        inventory(
          node('MBX-A', { role: 'active' }, { site: 'HQ' }),
          node('MBX-B', { role: 'passive' }, { site: 'DR' }),
        ),
      ),
    ).toEqual([
      'servers[1] "MBX-B": site: node of cluster CLUSTER01 in site "DR" while MBX-A is in "HQ"; nodes of one cluster share a site',
    ]);
  });

  it('refuses a cluster with a node that has no site while another has one', () => {
    const { site: _site, ...withoutSite } = node('MBX-B', { role: 'passive' });
    expect(issuesOf(inventory(node('MBX-A', { role: 'active' }), withoutSite))).toEqual([
      expect.objectContaining({ index: 1, server: 'MBX-B', field: 'site' }),
    ]);
  });

  it('refuses CCR and SCC nodes under one cluster name', () => {
    expect(
      linesOf(
        inventory(
          node('MBX-A', { role: 'active', type: 'CCR' }),
          node('MBX-B', { role: 'passive', type: 'SCC' }),
        ),
      ),
    ).toEqual(['servers[1] "MBX-B": cluster.type: cluster CLUSTER01 is CCR on MBX-A but SCC here']);
  });

  it('treats cluster names that differ only in case as one cluster', () => {
    expect(
      linesOf(
        inventory(
          node('MBX-A', { role: 'active', name: 'CLUSTER01' }),
          node('MBX-B', { role: 'active', name: 'cluster01', cms: 'CMS01' }),
        ),
      ),
    ).toEqual([
      'servers[1] "MBX-B": cluster.role: cluster CLUSTER01 has 2 active nodes (MBX-A, MBX-B); exactly one hosts the clustered mailbox server',
    ]);
  });

  it('accepts a single-node SCC cluster only if that node is active', () => {
    expect(() => parseInventory(inventory(node('SCC-1', { role: 'active', type: 'SCC' })))).not.toThrow();
    expect(issuesOf(inventory(node('SCC-1', { role: 'passive', type: 'SCC' })))).toEqual([
      expect.objectContaining({ server: 'SCC-1', field: 'cluster.role' }),
    ]);
  });

  it('puts every problem in the error message, one line each', () => {
    const value = inventory(node('MBX-A', { role: 'passive' }, { roles: ['Mailbox', 'ClientAccess'] }));
    expect(() => parseInventory(value)).toThrow(
      [
        'invalid inventory (2 problems):',
        'servers[0] "MBX-A": roles: a clustered mailbox server node runs the Mailbox role only (found Mailbox, ClientAccess)',
        'servers[0] "MBX-A": cluster.role: cluster CLUSTER01 has no active node among MBX-A; report the node that hosts the clustered mailbox server',
      ].join('\n'),
    );
  });
});
