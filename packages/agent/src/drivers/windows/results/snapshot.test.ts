import { checkInventory, KB959241, planRollout, stepsFor } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { parseExrOutput } from '../exr-format.js';
import { fixture } from '../fixtures/load.js';
import { activeMachine, interimUpdatesOf, toHostSnapshot } from './snapshot.js';

const snapshotOf = (name: string) => toHostSnapshot(parseExrOutput(fixture(name)));

describe('toHostSnapshot, from recorded inventory output', () => {
  it('reads a standalone CAS + Hub on SP1 RU4, Internet-facing, with customised OWA', () => {
    expect(snapshotOf('inventory-cas-hub-sp1ru4.txt')).toEqual({
      server: {
        name: 'SEA-CAS01',
        fqdn: 'sea-cas01.sea.contoso.com',
        site: 'HQ-Seattle',
        build: '8.1.311.3',
        roles: ['ClientAccess', 'HubTransport'],
        internetFacing: true,
        owaCustomized: true,
        interimUpdates: [],
      },
      host: {
        architecture: 'x64',
        pendingReboot: false,
        systemDriveFreeMb: 18342,
        os: 'Microsoft(R) Windows(R) Server 2003 Standard x64 Edition Service Pack 2',
      },
    });
  });

  it('reads a CCR active node: the node marked <Active> names its clustered mailbox server', () => {
    const { server } = snapshotOf('inventory-ccr-active.txt');
    expect(server).toMatchObject({
      name: 'SEA-CCR1-N1',
      roles: ['Mailbox'],
      cluster: { type: 'CCR', name: 'SEA-CCR1', role: 'active', cms: 'SEA-MBX1' },
    });
    expect(server).not.toHaveProperty('internetFacing');
    expect(stepsFor(server)).toEqual([
      'precheck',
      'move-cms',
      'move-cluster-group',
      'install',
      'restart',
      'verify',
    ]);
  });

  it('reads an SCC passive node: no cms, Quorum Owner is not Active', () => {
    const { server } = snapshotOf('inventory-scc-passive.txt');
    expect(server.cluster).toEqual({ type: 'SCC', name: 'LON-SCC1', role: 'passive' });
    expect(server.site).toBe('EU-London');
  });

  it('reads an Edge server from the registry alone, with its pending reboot', () => {
    expect(snapshotOf('inventory-edge.txt')).toEqual({
      server: {
        name: 'DMZ-EDGE01',
        fqdn: 'dmz-edge01.perimeter.contoso.net',
        build: '8.1.240.6',
        roles: ['Edge'],
        interimUpdates: [],
      },
      host: expect.objectContaining({ pendingReboot: true }),
    });
  });

  it('lists interim updates and leaves rollups out, non-ASCII names intact', () => {
    const snapshot = snapshotOf('inventory-two-ius.txt');
    expect(snapshot.server.interimUpdates).toEqual([
      'Interim Update for Exchange Server 2007 SP1 Update Rollup 4 (KB957019)',
      'Interim Update for Exchange Server 2007 SP1 Update Rollup 4 (KB958444) \u2013 Transport fix',
    ]);
    expect(snapshot.host.pendingReboot).toBe(true);
    expect(stepsFor(snapshot.server)).toContain('remove-interim-updates');
  });

  it('reads an RTM server (8.0.685.24), which the planner then excludes', () => {
    const { server } = snapshotOf('inventory-rtm.txt');
    expect(server).toMatchObject({ build: '8.0.685.24', internetFacing: false, owaCustomized: false });
    const plan = planRollout({ servers: [server] }, KB959241, {});
    expect(plan.excluded).toEqual([expect.objectContaining({ name: 'SEA-LEGACY01', code: 'NOT_SP1' })]);
  });

  it('gives records that pass the inventory consistency rules', () => {
    const servers = [
      'inventory-cas-hub-sp1ru4.txt',
      'inventory-ccr-active.txt',
      'inventory-edge.txt',
      'inventory-two-ius.txt',
      'inventory-rtm.txt',
    ].map((name) => snapshotOf(name).server);
    expect(checkInventory({ servers })).toEqual([]);
  });

  it('accepts Windows line endings', () => {
    const crlf = fixture('inventory-edge.txt').replace(/\n/g, '\r\n');
    expect(toHostSnapshot(parseExrOutput(crlf)).server.name).toBe('DMZ-EDGE01');
  });

  it('refuses truncated output (no status line) with AGENT_ERR_DRIVER_OUTPUT', () => {
    expect(() => snapshotOf('inventory-truncated.txt')).toThrow(
      expect.objectContaining({ name: 'DriverError', code: 'AGENT_ERR_DRIVER_OUTPUT' }),
    );
  });

  it('refuses values that break the inventory schema', () => {
    const bad = fixture('inventory-edge.txt').replace(
      'EXR|server.build|8.1.240.6',
      'EXR|server.build|latest',
    );
    expect(() => toHostSnapshot(parseExrOutput(bad))).toThrow(
      expect.objectContaining({ code: 'AGENT_ERR_DRIVER_OUTPUT' }),
    );
    const badBool = fixture('inventory-edge.txt').replace('reboot.cbs|False', 'reboot.cbs|maybe');
    expect(() => toHostSnapshot(parseExrOutput(badBool))).toThrow(/reboot.cbs/);
    const badNumber = fixture('inventory-edge.txt').replace('host.freeMb|7450', 'host.freeMb|7,450');
    expect(() => toHostSnapshot(parseExrOutput(badNumber))).toThrow(/host.freeMb/);
  });

  it('turns a failed inventory script into AGENT_ERR_DRIVER_INVENTORY', () => {
    const output = parseExrOutput(
      'EXR|error.code|EXCHANGE_NOT_FOUND\nEXR|error.message|HKLM:\\\\SOFTWARE\\\\Microsoft\\\\Exchange\\\\Setup does not exist\nEXR|status|error\n',
    );
    expect(() => toHostSnapshot(output)).toThrow(
      expect.objectContaining({
        code: 'AGENT_ERR_DRIVER_INVENTORY',
        message: expect.stringContaining('EXCHANGE_NOT_FOUND'),
      }),
    );
  });
});

describe('helpers', () => {
  it('finds the active node in OperationalMachines', () => {
    expect(activeMachine(['N1 <Quorum Owner>', 'N2 <Active>'])).toBe('N2');
    expect(activeMachine(['N1 <Active, Quorum Owner>', 'N2'])).toBe('N1');
    expect(activeMachine(['N1', 'N2 <Quorum Owner>'])).toBeUndefined();
  });

  it('tells interim updates from rollups by DisplayName', () => {
    expect(
      interimUpdatesOf([
        'Update Rollup 5 for Exchange Server 2007 Service Pack 1 (KB953467)',
        'Interim Update for Exchange Server 2007 SP1 Update Rollup 5 (KB957019)',
        ' Hotfix (KB1) ',
        '',
      ]),
    ).toEqual(['Interim Update for Exchange Server 2007 SP1 Update Rollup 5 (KB957019)', 'Hotfix (KB1)']);
  });
});
