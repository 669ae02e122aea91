import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InventoryServer } from '@exrollout/core';
import type { Fleet } from '@exrollout/fleet-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPwsh } from '../../agent/test/pwsh.js';
import {
  createStubCluster,
  createStubHost,
  readStubState,
  sha256,
  stubBuild,
  stubPackageBytes,
} from '../../agent/test/stub-exchange/host.js';
import { STUB_POWERSHELL } from '../../agent/test/stub-exchange/runner.js';
import { type AgentProcess, startAgentProcess } from './chaos/agent-process.js';
import { createRollout, fleetFor, rollout, sim, until } from './fleet-helpers.js';
import { api, eventually, startTestServer, type TestServer } from './helpers.js';

const RU4 = '8.1.311.3';
const RU6 = '8.1.340.1';
const PACKAGE_SHA = sha256(stubPackageBytes('Exchange2007-KB959241-x64-EN.msp'));

// Three real `exrollout-agent --driver powershell --mode local` processes whose PowerShell is pwsh on a stub
// Exchange host (EXROLLOUT_POWERSHELL), beside simulated agents, through a rollout and its rollback.
describe('PowerShell agents on stub Exchange hosts, with simulated ones, through a rollout and its rollback', () => {
  let server: TestServer;
  let fleet: Fleet | undefined;
  let dir: string;
  const agents: AgentProcess[] = [];
  const roots = new Map<string, string>();

  beforeAll(async () => {
    server = await startTestServer({ heartbeatIntervalMs: 1000, offlineAfterMs: 15_000 });
    dir = await mkdtemp(join(tmpdir(), 'exrollout-ps-agents-'));
    const clusterFile = join(dir, 'SEA-CLU01.json');
    createStubCluster(clusterFile, {
      name: 'SEA-CLU01',
      type: 'CCR',
      cms: 'SEA-CMS01',
      nodes: ['SEA-CCR1-N1', 'SEA-CCR1-N2'],
      active: 'SEA-CCR1-N1',
    });
    const ccr = (name: string, role: 'active' | 'passive'): InventoryServer => ({
      name,
      site: 'HQ',
      build: RU4,
      roles: ['Mailbox'],
      cluster: { type: 'CCR', name: 'SEA-CLU01', role, ...(role === 'active' ? { cms: 'SEA-CMS01' } : {}) },
    });
    const hosts: InventoryServer[] = [
      {
        name: 'SEA-CAS01',
        site: 'HQ',
        build: RU4,
        roles: ['ClientAccess'],
        internetFacing: true,
        owaCustomized: true,
      },
      ccr('SEA-CCR1-N1', 'active'),
      ccr('SEA-CCR1-N2', 'passive'),
    ];
    for (const host of hosts) {
      const root = join(dir, host.name);
      createStubHost(root, { server: host, host: { architecture: 'x64' } }, { clusterFile });
      roots.set(host.name, root);
      agents.push(await powershellAgent(host.name, root));
    }
    fleet = await fleetFor(server, {
      servers: [sim('SEA-HUB01', ['HubTransport']), sim('SEA-CAS02', ['ClientAccess'])],
    });
    for (const host of hosts)
      await eventually(
        async () => (await server.inventory.get(host.name))?.report.build === RU4,
        60_000,
        `${host.name} reported through PowerShell`,
      );
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
    await Promise.all(agents.map((agent) => agent.stop()));
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function powershellAgent(name: string, root: string): Promise<AgentProcess> {
    const token = await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, { uses: 1 });
    const args = ['--server', server.url, '--enrol', String(token.body.token), '--name', name];
    const flags = ['--driver', 'powershell', '--mode', 'local', '--state-dir', join(root, 'agent-state')];
    return startAgentProcess([...args, ...flags, '--log-level', 'warn'], {
      ...process.env,
      EXROLLOUT_POWERSHELL: STUB_POWERSHELL,
      EXR_STUB_ROOT: root,
      EXR_PWSH: findPwsh(),
    });
  }

  it('reads each stub host through the inventory script as the server sees it', async () => {
    const cas = await server.inventory.get('SEA-CAS01');
    expect(cas?.report).toMatchObject({
      build: RU4,
      roles: ['ClientAccess'],
      internetFacing: true,
      owaCustomized: true,
    });
    expect((await server.inventory.get('SEA-CCR1-N1'))?.report.cluster).toEqual({
      type: 'CCR',
      name: 'SEA-CLU01',
      role: 'active',
      cms: 'SEA-CMS01',
    });
    expect((await server.inventory.get('SEA-CCR1-N2'))?.report.cluster).toMatchObject({ role: 'passive' });
  });

  it('installs KB959241 on every server, then rolls every one back to its old build', async () => {
    const id = await createRollout(server, {
      packageSha256: { x64: PACKAGE_SHA },
      approvalRequired: false,
      concurrency: 3,
    });
    expect((await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {})).status).toBe(200);
    const done = await until(server, id, ['completed', 'halted', 'failed'], 240_000);
    expect(done.state, JSON.stringify(done.waves)).toBe('completed');
    for (const [name, root] of roots) expect(stubBuild(root), name).toBe(RU6);
    // Each stub host ran msiexec /update once, and the customised OWA files came back after the install.
    for (const [name, root] of roots) {
      const installs = readStubState(root).history.filter((entry) => entry.what === 'installed');
      expect(installs, name).toHaveLength(1);
    }
    await eventually(
      async () => (await server.inventory.get('SEA-CAS01'))?.report.build === RU6,
      30_000,
      'the CAS reported RU6',
    );
    expect((await server.inventory.get('SEA-CAS01'))?.report.owaCustomized).toBe(true);

    const started = await api(server, 'POST', `/api/v1/rollouts/${id}/rollback`, server.admin, {
      reason: 'exrollout PowerShell end-to-end test',
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const rolledBack = await until(server, id, ['rolled-back', 'halted', 'failed'], 240_000);
    expect(
      rolledBack.state,
      JSON.stringify((await rollout(server, String(started.body.rollbackId))).waves),
    ).toBe('rolled-back');
    for (const [name, root] of roots) expect(stubBuild(root), name).toBe(RU4);
  }, 600_000);
});
