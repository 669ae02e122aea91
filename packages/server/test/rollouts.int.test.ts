import type { Fleet } from '@exrollout/fleet-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cluster,
  createRollout,
  events,
  fleetFor,
  intervals,
  maxOverlap,
  rollout,
  SHA,
  sim,
  until,
} from './fleet-helpers.js';
import { api, eventually, startTestServer, type TestServer } from './helpers.js';

let server: TestServer;
let fleet: Fleet | undefined;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await server.close();
});

const act = (id: string, action: string, token = server.admin, body?: unknown) =>
  api(server, 'POST', `/api/v1/rollouts/${id}/${action}`, token, body ?? {});

describe('a staged rollout of KB959241', () => {
  it('runs the waves strictly in order, never more servers at once than the policy allows, and updates every server', async () => {
    fleet = await fleetFor(server, {
      servers: [
        sim('CAS-EXT1', ['ClientAccess'], { internetFacing: true, owaCustomized: true }),
        sim('CAS-EXT2', ['ClientAccess', 'HubTransport'], { internetFacing: true }),
        sim('CAS-INT1', ['ClientAccess']),
        sim('CAS-INT2', ['ClientAccess'], { interimUpdates: ['IU for KB956624'] }),
        sim('CAS-INT3', ['ClientAccess']),
        sim('HUB1', ['HubTransport']),
        sim('HUB2', ['HubTransport']),
        sim('MBX1', ['Mailbox']),
        sim('UM1', ['UnifiedMessaging']),
        sim('EDGE1', ['Edge']),
      ],
    });
    const id = await createRollout(server, { concurrency: 2, approvalRequired: false });
    expect((await rollout(server, id)).state).toBe('created');
    expect((await act(id, 'start')).body.state).toBe('running');
    const done = await until(server, id, ['completed']);
    expect(done.counts).toMatchObject({ succeeded: 10, failed: 0, skipped: 0 });
    for (const wave of done.waves) for (const s of wave.servers) expect(s.toBuild).toBe('8.1.340.1');
    // The waves the planner's rules give this fleet (docs/planner.md), not the rollout's own account of them.
    const expected = [
      ['CAS-EXT1', 'CAS-EXT2'],
      ['CAS-INT1', 'CAS-INT2', 'CAS-INT3'],
      ['HUB1', 'HUB2', 'MBX1', 'UM1', 'EDGE1'],
    ];
    expect(done.waves.map((wave) => wave.servers.map((s) => s.name).sort())).toEqual(
      expected.map((wave) => [...wave].sort()),
    );
    const spans = intervals(await events(server, id));
    expect([...spans.keys()].sort()).toEqual(expected.flat().sort());
    const waveOf = (name: string) => expected.findIndex((wave) => wave.includes(name));
    for (const [name, span] of spans)
      for (const [other, otherSpan] of spans)
        if (waveOf(other) < waveOf(name))
          expect(otherSpan.end, `${other} finished before ${name} started`).toBeLessThanOrEqual(span.start);
    // Concurrency 2: two servers of each wave run together (one at a time would be a slower rollout than asked).
    for (const wave of expected)
      expect(maxOverlap(wave.map((name) => spans.get(name) ?? { start: 0, end: 0 })), wave.join(' ')).toBe(2);
    // Agents report their new build a moment after the step (their inventory report is debounced).
    const currentCount = async () =>
      (
        (await api(server, 'GET', '/api/v1/compliance', server.admin)).body.counts as unknown as {
          current: number;
        }
      ).current;
    await eventually(async () => (await currentCount()) === 10, 5000, 'inventory shows every server current');
    for (const agent of fleet.agents) expect(agent.driver.state().installedUpdates).toHaveLength(1);
  });

  it('holds each wave after the first for an approver, and only an approver may open it', async () => {
    fleet = await fleetFor(server, {
      servers: [sim('CAS-EXT1', ['ClientAccess'], { internetFacing: true }), sim('HUB1', ['HubTransport'])],
    });
    const id = await createRollout(server, {});
    await act(id, 'start');
    const waiting = await until(server, id, ['awaiting-approval']);
    expect(waiting.reason).toContain('wave 3 (remaining) needs approval');
    expect(waiting.waves[2]?.servers[0]?.state).toBe('pending');
    const operator = String(
      (await api(server, 'POST', '/api/v1/tokens', server.admin, { name: 'ops', role: 'operator' })).body
        .token,
    );
    expect((await act(id, 'approve', operator)).status).toBe(403);
    const approver = String(
      (await api(server, 'POST', '/api/v1/tokens', server.admin, { name: 'cab', role: 'approver' })).body
        .token,
    );
    expect((await act(id, 'approve', approver, { reason: 'CAB 4711' })).body.state).toBe('running');
    await until(server, id, ['completed']);
    expect((await events(server, id)).find((e) => e.type === 'wave.approved')).toMatchObject({
      actor: expect.stringContaining('cab (approver'),
      message: expect.stringContaining('CAB 4711'),
    });
  });

  it('patches a cluster one node at a time, passive nodes first, and moves the clustered mailbox server to an updated node', async () => {
    fleet = await fleetFor(server, {
      servers: [
        ...cluster('CCR', 'CCR1', ['CCR1-A', 'CCR1-B']),
        ...cluster('SCC', 'SCC1', ['SCC1-A', 'SCC1-B', 'SCC1-C']),
        sim('HUB1', ['HubTransport']),
      ],
    });
    const id = await createRollout(server, { concurrency: 4, approvalRequired: false });
    await act(id, 'start');
    const done = await until(server, id, ['completed']);
    expect(done.counts.succeeded).toBe(6);
    const list = await events(server, id);
    const spans = intervals(list);
    for (const nodes of [
      ['CCR1-A', 'CCR1-B'],
      ['SCC1-A', 'SCC1-B', 'SCC1-C'],
    ]) {
      expect(maxOverlap(nodes.map((n) => spans.get(n) ?? { start: 0, end: 0 }))).toBe(1);
      const active = spans.get(nodes[0] ?? '');
      for (const passive of nodes.slice(1))
        expect((spans.get(passive)?.end ?? Infinity) <= (active?.start ?? 0)).toBe(true);
    }
    const activeNow = async () =>
      (await api(server, 'GET', '/api/v1/servers/CCR1-B', server.admin)).body.cluster as unknown as {
        role: string;
        cms?: string;
      };
    await eventually(async () => (await activeNow()).role === 'active', 5000, 'CCR1-B reports itself active');
    expect(await activeNow()).toMatchObject({ role: 'active', cms: 'CCR1-CMS' });
    const formerActive = async () =>
      (await api(server, 'GET', '/api/v1/servers/CCR1-A', server.admin)).body.cluster as unknown as {
        role: string;
      };
    await eventually(
      async () => (await formerActive()).role === 'passive',
      5000,
      'CCR1-A reports itself passive',
    );
    expect(
      list.some(
        (e) => e.server === 'CCR1-A' && e.type === 'server.step-succeeded' && e.data?.step === 'move-cms',
      ),
    ).toBe(true);
  });

  it('halts when the failure budget is spent, lets running servers finish, and resumes once the operator skips the failure', async () => {
    fleet = await fleetFor(server, {
      servers: [
        sim('HUB1', ['HubTransport'], { behaviour: { installFails: 'msi-return-value-3' } }),
        sim('HUB2', ['HubTransport'], { behaviour: { installSeconds: 1 } }),
        sim('HUB3', ['HubTransport']),
        sim('HUB4', ['HubTransport']),
      ],
    });
    const id = await createRollout(server, { concurrency: 2, approvalRequired: false });
    await act(id, 'start');
    const halted = await until(server, id, ['halted']);
    expect(halted.reason).toContain('overall failure budget exceeded: 1 failed, 0 tolerated');
    const failed = halted.waves[2]?.servers.find((s) => s.name === 'HUB1');
    expect(failed).toMatchObject({ state: 'failed', step: 'install', error: { code: 'INSTALL_FAILED' } });
    await eventually(
      async () =>
        (await rollout(server, id)).waves[2]?.servers.find((s) => s.name === 'HUB2')?.state === 'succeeded',
      10_000,
      'HUB2 finishes',
    );
    const held = await rollout(server, id);
    expect(held.state).toBe('halted');
    expect(held.waves[2]?.servers.filter((s) => s.state === 'pending').map((s) => s.name)).toEqual([
      'HUB3',
      'HUB4',
    ]);
    const refused = await act(id, 'resume');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('retry or skip the failed servers first');
    expect(
      (
        await api(server, 'POST', `/api/v1/rollouts/${id}/servers/HUB1/skip`, server.admin, {
          reason: 'MSI log sent to support',
        })
      ).status,
    ).toBe(200);
    expect((await act(id, 'resume')).body.state).toBe('running');
    const done = await until(server, id, ['completed']);
    expect(done.counts).toMatchObject({ succeeded: 3, skipped: 1, failed: 0 });
  });

  it('ends a rollout in which servers failed within the budget completed-with-failures, with the failures by code', async () => {
    fleet = await fleetFor(server, {
      servers: [
        sim('HUB1', ['HubTransport'], { behaviour: { installFails: 'msi-return-value-3' } }),
        sim('HUB2', ['HubTransport']),
        sim('HUB3', ['HubTransport'], { behaviour: { installFails: 'msi-return-value-3' } }),
        sim('HUB4', ['HubTransport'], { behaviour: { servicesFailToStart: true } }),
        sim('HUB5', ['HubTransport']),
      ],
    });
    const id = await createRollout(server, {
      approvalRequired: false,
      concurrency: 2,
      remedyKb944752: false,
      failureBudget: { overall: { count: 3 } },
    });
    await act(id, 'start');
    const done = await until(server, id, ['completed-with-failures', 'completed', 'halted'], 30_000);
    expect(done.state).toBe('completed-with-failures');
    expect(done.reason).toBe('3 of 5 servers failed');
    expect(done.counts).toMatchObject({ succeeded: 2, failed: 3 });
    expect(done.failures).toEqual([
      {
        code: 'INSTALL_FAILED',
        count: 2,
        servers: ['HUB1', 'HUB3'],
        next: expect.stringMatching(/"Return Value 3".*include the servers in a new rollout/),
      },
      {
        code: 'SERVICES_NOT_STARTED',
        count: 1,
        servers: ['HUB4'],
        next: expect.stringContaining('KB 944752'),
      },
    ]);
    const list = await events(server, id);
    expect(list.at(-1)).toMatchObject({
      type: 'rollout.completed-with-failures',
      message: 'every wave has finished; 3 of 5 servers failed',
    });
    expect(list.some((e) => e.type === 'rollout.completed')).toBe(false);
    // Its failed servers may go into a new rollout: this one covers them no more.
    expect(
      (
        await api(server, 'POST', '/api/v1/rollouts', server.admin, {
          policy: { packageSha256: { x64: SHA } },
          selection: { names: ['HUB1'] },
        })
      ).status,
    ).toBe(201);
  });

  it('skips empty waves: a rollout of Hub servers only needs no approval, and its trail says the waves were skipped', async () => {
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport']), sim('HUB2', ['HubTransport'])],
    });
    const id = await createRollout(server, { concurrency: 2, soakSeconds: 3600 });
    await act(id, 'start');
    const done = await until(server, id, ['completed'], 20_000);
    expect(done.waves.map((wave) => wave.state)).toEqual(['skipped', 'skipped', 'completed']);
    const own = (await events(server, id)).filter((e) => !e.server).map((e) => e.type);
    expect(own).toEqual([
      'rollout.created',
      'rollout.started',
      'wave.skipped',
      'wave.skipped',
      'wave.completed',
      'rollout.completed',
    ]);
  });

  it('applies the KB 944752 remedy when services do not start, and fails the server when the remedy is off', async () => {
    fleet = await fleetFor(server, {
      servers: [
        sim('HUB1', ['HubTransport'], { behaviour: { servicesFailToStart: true } }),
        sim('HUB2', ['HubTransport'], { behaviour: { servicesFailToStart: true } }),
      ],
    });
    const withRemedy = await createRollout(server, { approvalRequired: false }, { names: ['HUB1'] });
    await act(withRemedy, 'start');
    expect((await until(server, withRemedy, ['completed'])).counts.succeeded).toBe(1);
    const remedied = (await events(server, withRemedy)).filter((e) => e.type === 'server.remedied');
    expect(remedied).toHaveLength(1);
    expect(remedied[0]).toMatchObject({
      server: 'HUB1',
      data: {
        kb: '944752',
        servicesStarted: ['MSExchangeServiceHost', 'MSExchangeTransport', 'MSExchangeEdgeSync'],
      },
    });
    expect(remedied[0]?.message).toContain('did not start after the install (KB 944752)');
    const withoutRemedy = await createRollout(
      server,
      { approvalRequired: false, remedyKb944752: false },
      { names: ['HUB2'] },
    );
    await act(withoutRemedy, 'start');
    const halted = await until(server, withoutRemedy, ['halted']);
    expect(halted.waves[2]?.servers[0]).toMatchObject({
      state: 'failed',
      step: 'verify',
      error: { code: 'SERVICES_NOT_STARTED' },
    });
  });

  it('re-checks each server just before its turn and skips one whose build changed since the plan', async () => {
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport']), sim('HUB2', ['HubTransport'])],
    });
    const id = await createRollout(server, { approvalRequired: false });
    await fleet.agent('HUB2').driver.runStep(
      'install',
      {
        package: { file: 'Exchange2007-KB959241-x64-EN.msp', sha256: 'a'.repeat(64) },
        targetBuild: '8.1.340.1',
      },
      { commandId: 'by-hand', signal: new AbortController().signal, progress: () => undefined },
    );
    await eventually(
      async () => (await server.inventory.get('HUB2'))?.report.build === '8.1.340.1',
      5000,
      'HUB2 reported its new build',
    );
    await act(id, 'start');
    const done = await until(server, id, ['completed']);
    expect(done.waves[2]?.servers.find((s) => s.name === 'HUB2')).toMatchObject({
      state: 'skipped',
      error: { code: 'ALREADY_CURRENT' },
    });
  });

  it('refuses actions that make no sense in the current state, and changes nothing', async () => {
    fleet = await fleetFor(server, { servers: [sim('HUB1', ['HubTransport'])] });
    const id = await createRollout(server, {});
    for (const action of ['pause', 'resume', 'approve']) {
      const refused = await act(id, action);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('SRV_ERR_ROLLOUT_STATE');
    }
    expect(
      (await api(server, 'POST', `/api/v1/rollouts/${id}/servers/HUB1/retry`, server.admin, {})).status,
    ).toBe(409);
    expect((await rollout(server, id)).state).toBe('created');
    expect((await act(id, 'abort', server.admin, { reason: 'change freeze' })).body.state).toBe('aborted');
    expect((await act(id, 'start')).status).toBe(409);
    const bad = await api(server, 'POST', '/api/v1/rollouts', server.admin, { policy: { concurrency: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('policy.concurrency');
    expect(bad.body.message).toContain('policy.packageSha256: is required');
  });

  it('pauses (running servers finish, none starts) and resumes', async () => {
    fleet = await fleetFor(server, {
      servers: ['HUB1', 'HUB2', 'HUB3'].map((n) =>
        sim(n, ['HubTransport'], { behaviour: { installSeconds: 0.6 } }),
      ),
    });
    const id = await createRollout(server, { approvalRequired: false });
    await act(id, 'start');
    await eventually(async () => (await rollout(server, id)).counts.running === 1, 5000, 'one running');
    expect((await act(id, 'pause', server.admin, { reason: 'user complaint' })).body.state).toBe('paused');
    await eventually(
      async () => (await rollout(server, id)).counts.running === 0,
      10_000,
      'running one finished',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const paused = await rollout(server, id);
    expect(paused.state).toBe('paused');
    expect(paused.counts).toMatchObject({ succeeded: 1, pending: 2 });
    await act(id, 'resume');
    expect((await until(server, id, ['completed'])).counts.succeeded).toBe(3);
  });

  it('skips a server whose agent is offline when its turn comes, after the policy wait', async () => {
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport']), sim('HUB2', ['HubTransport'])],
    });
    await fleet.kill('HUB1');
    const id = await createRollout(server, {
      approvalRequired: false,
      offlineAgent: { waitSeconds: 1, afterWait: 'skip' },
    });
    await act(id, 'start');
    const done = await until(server, id, ['completed'], 30_000);
    expect(done.waves[2]?.servers.find((s) => s.name === 'HUB1')).toMatchObject({
      state: 'skipped',
      error: { code: 'AGENT_OFFLINE' },
    });
    expect(done.waves[2]?.servers.find((s) => s.name === 'HUB2')?.state).toBe('succeeded');
  });

  it('gets the result of an install from an agent that dropped during it, and installs only once', async () => {
    fleet = await fleetFor(server, {
      servers: [
        sim('HUB1', ['HubTransport'], { behaviour: { disconnectDuringInstall: true, installSeconds: 0.5 } }),
        sim('HUB2', ['HubTransport'], { behaviour: { rebootDuringInstall: true } }),
      ],
    });
    const id = await createRollout(server, { approvalRequired: false, concurrency: 2 });
    await act(id, 'start');
    const done = await until(server, id, ['completed'], 30_000);
    expect(done.counts.succeeded).toBe(2);
    expect(fleet.agent('HUB1').driver.state().installedUpdates).toHaveLength(1);
    expect(fleet.agent('HUB2').driver.state().installedUpdates).toHaveLength(1);
    expect(fleet.agent('HUB2').driver.state().reboots).toBe(1);
    // The trail shows each agent dropping during its install and coming back, before the install's result.
    const trail = await events(server, id);
    for (const name of ['HUB1', 'HUB2']) {
      const types = trail.filter((e) => e.server === name).map((e) => e.type);
      const lost = types.indexOf('server.agent-disconnected');
      const back = types.indexOf('server.agent-reconnected');
      expect(lost, `${name}: ${types.join(' ')}`).toBeGreaterThan(-1);
      expect(back).toBeGreaterThan(lost);
      expect(types.lastIndexOf('server.step-succeeded')).toBeGreaterThan(back);
    }
    expect(trail.find((e) => e.type === 'server.agent-disconnected' && e.server === 'HUB1')?.message).toMatch(
      /HUB1: the agent's connection closed \(code \d+\) during install/,
    );
  });

  it('waits the soak time between waves', async () => {
    fleet = await fleetFor(server, {
      servers: [sim('CAS-EXT1', ['ClientAccess'], { internetFacing: true }), sim('HUB1', ['HubTransport'])],
    });
    const id = await createRollout(server, { approvalRequired: false, soakSeconds: 2 });
    await act(id, 'start');
    await until(server, id, ['completed'], 20_000);
    const list = await events(server, id);
    const firstDone = Date.parse(list.find((e) => e.type === 'wave.completed')?.at ?? '');
    const hubStarted = Date.parse(
      list.find((e) => e.type === 'server.started' && e.server === 'HUB1')?.at ?? '',
    );
    expect(hubStarted - firstDone).toBeGreaterThanOrEqual(2000);
    expect(list.some((e) => e.type === 'rollout.waiting' && e.message.startsWith('soaking until'))).toBe(
      true,
    );
  });

  it('starts nothing outside its maintenance windows and says when the next one opens', async () => {
    fleet = await fleetFor(server, { servers: [sim('HUB1', ['HubTransport'])] });
    const now = new Date();
    const hour = (now.getUTCHours() + 12) % 24;
    const window = {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      start: `${String(hour).padStart(2, '0')}:00`,
      end: `${String((hour + 1) % 24).padStart(2, '0')}:00`,
      timeZone: 'UTC',
    };
    const id = await createRollout(server, { approvalRequired: false, maintenanceWindows: [window] });
    await act(id, 'start');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const held = await rollout(server, id);
    expect(held.state).toBe('running');
    expect(held.reason).toMatch(/^outside the maintenance windows until \d{4}-\d\d-\d\dT\d\d:00:00.000Z$/);
    expect(held.counts).toMatchObject({ pending: 1, running: 0 });
  });

  it('fails a server whose agent drops during the install and does not come back within the policy time', async () => {
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport'], { behaviour: { installSeconds: 3 } })],
    });
    const id = await createRollout(server, {
      approvalRequired: false,
      offlineAgent: { waitSeconds: 1, afterWait: 'fail' },
    });
    await act(id, 'start');
    await eventually(
      async () => (await rollout(server, id)).waves[2]?.servers[0]?.step === 'install',
      5000,
      'installing',
    );
    await fleet.kill('HUB1');
    const halted = await until(server, id, ['halted'], 20_000);
    expect(halted.waves[2]?.servers[0]).toMatchObject({
      state: 'failed',
      step: 'install',
      error: { code: 'AGENT_LOST' },
    });
  });
});

const IU_KB957019 = 'Interim Update for Exchange Server 2007 SP1 Update Rollup 4 (KB957019)';

describe('the trail says what each step changed on the server (issue 14 item 11)', () => {
  it('notes the interim updates removed, the OWA backup and restore, and a restart msiexec asks for', async () => {
    fleet = await fleetFor(server, {
      servers: [
        sim('CAS-EXT1', ['ClientAccess'], {
          internetFacing: true,
          owaCustomized: true,
          interimUpdates: [IU_KB957019],
          behaviour: { restartExitCode: 3010 },
        }),
      ],
    });
    const id = await createRollout(server, { approvalRequired: false });
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    await until(server, id, ['completed'], 30_000);
    const notes = (await events(server, id)).filter((event) => event.server === 'CAS-EXT1');
    const byType = (type: string) => notes.find((event) => event.type === type);
    expect(byType('server.interim-updates-removed')).toMatchObject({
      actor: 'agent:CAS-EXT1',
      data: { removed: [IU_KB957019] },
    });
    expect(byType('server.interim-updates-removed')?.message).toContain('a rollback does not put them back');
    expect(byType('server.owa-backed-up')?.data).toMatchObject({
      backupPath: expect.stringContaining('owa'),
    });
    expect(byType('server.owa-restored')?.data).toMatchObject({ backupPath: expect.stringContaining('owa') });
    expect(byType('server.restart-required')?.data).toEqual({ step: 'install' });
    // Each note follows the step it tells of.
    const order = notes.map((event) => event.type);
    expect(order.indexOf('server.owa-restored')).toBeGreaterThan(order.indexOf('server.owa-backed-up'));
  });
});
