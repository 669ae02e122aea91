import type { Fleet } from '@exrollout/fleet-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cluster, createRollout, events, fleetFor, rollout, sim, until } from './fleet-helpers.js';
import { api, eventually, startTestServer, type TestServer } from './helpers.js';

// Issue 14 items 4 and 6: the restart step and its policy, and msiexec 1618 tried again, through real agents
// (AgentClient + SimulatedDriver) against a real server and Redis.
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

const start = (id: string) => api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
const hostOf = (name: string) => {
  const agent = fleet?.agents.find((candidate) => candidate.name === name);
  if (!agent) throw new Error(`no agent ${name}`);
  return agent.driver.state();
};
const serverIn = async (id: string, name: string) =>
  (await rollout(server, id)).waves.flatMap((wave) => wave.servers).find((entry) => entry.name === name);
const ofServer = async (id: string, name: string) =>
  (await events(server, id)).filter((event) => event.server === name);

describe('the restart step (policy restart)', () => {
  it('if-required: restarts the server msiexec asked for (3010), then verifies; leaves the others up', async () => {
    fleet = await fleetFor(server, {
      servers: [
        sim('HUB1', ['HubTransport'], { behaviour: { restartExitCode: 3010 } }),
        sim('HUB2', ['HubTransport']),
      ],
    });
    const id = await createRollout(server, { approvalRequired: false });
    await start(id);
    const done = await until(server, id, ['completed'], 30_000);
    expect(done.counts).toMatchObject({ succeeded: 2 });
    expect(hostOf('HUB1')).toMatchObject({ reboots: 1, host: { pendingReboot: false } });
    expect(hostOf('HUB2').reboots).toBe(0);
    const restarted = (await ofServer(id, 'HUB1')).find((event) => event.type === 'server.restarted');
    expect(restarted?.data).toMatchObject({ restartedAt: expect.stringMatching(/^\d{4}-/) });
    const types = (await ofServer(id, 'HUB1')).map((event) => event.type);
    expect(types.indexOf('server.restarted')).toBeLessThan(types.lastIndexOf('server.step-succeeded'));
    expect((await ofServer(id, 'HUB2')).some((event) => event.type === 'server.restarted')).toBe(false);
  });

  it('never: does not restart, and the trail says the restart is left to the administrator', async () => {
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport'], { behaviour: { restartExitCode: 3010 } })],
    });
    const id = await createRollout(server, { approvalRequired: false, restart: 'never' });
    await start(id);
    await until(server, id, ['completed'], 30_000);
    expect(hostOf('HUB1')).toMatchObject({ reboots: 0, host: { pendingReboot: true } });
    const required = (await ofServer(id, 'HUB1')).find((event) => event.type === 'server.restart-required');
    expect(required?.message).toContain('restart: never');
  });

  it('always: restarts every server after its install, though none asked', async () => {
    fleet = await fleetFor(server, { servers: [sim('HUB1', ['HubTransport'])] });
    const id = await createRollout(server, { approvalRequired: false, restart: 'always' });
    await start(id);
    await until(server, id, ['completed'], 30_000);
    expect(hostOf('HUB1').reboots).toBe(1);
  });

  it('fails RESTART_TIMEOUT when the server does not come back within restartTimeoutSeconds', {
    timeout: 120_000,
  }, async () => {
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport'], { behaviour: { restartExitCode: 3010, restartHangs: true } })],
    });
    const id = await createRollout(server, { approvalRequired: false, restartTimeoutSeconds: 60 });
    await start(id);
    const halted = await until(server, id, ['halted', 'completed'], 100_000);
    const hub = halted.waves.flatMap((wave) => wave.servers).find((entry) => entry.name === 'HUB1');
    expect(hub).toMatchObject({ state: 'failed', step: 'restart', error: { code: 'RESTART_TIMEOUT' } });
    expect(hub?.error?.message).toContain('restartTimeoutSeconds');
  });

  it('never moves a clustered mailbox server onto a node that waits for a restart', async () => {
    fleet = await fleetFor(server, {
      servers: cluster('CCR', 'CCR1', ['CCR1-N1', 'CCR1-N2'], { behaviour: { restartExitCode: 3010 } }),
    });
    const id = await createRollout(server, { approvalRequired: false, restart: 'never' });
    await start(id);
    const halted = await until(server, id, ['halted', 'completed'], 30_000);
    const active = halted.waves.flatMap((wave) => wave.servers).find((entry) => entry.name === 'CCR1-N1');
    expect(active).toMatchObject({ state: 'failed', error: { code: 'CLUSTER_NO_UPDATED_NODE' } });
    expect(active?.error?.message).toContain('CCR1-N2 waits for a restart');
    expect(hostOf('CCR1-N1').server.cluster).toMatchObject({ role: 'active', cms: 'CCR1-CMS' });
  });

  it('waits for the next maintenance window when the install ends after the window closed', {
    timeout: 120_000,
  }, async () => {
    // A window of the current minute (or the next, this late in the minute), and an install that outlasts it.
    let now = new Date();
    if (now.getUTCSeconds() > 45) {
      await new Promise((resolve) => setTimeout(resolve, (61 - now.getUTCSeconds()) * 1000));
      now = new Date();
    }
    const hhmm = (date: Date) =>
      `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
    const end = new Date(now.getTime() + 60_000);
    const installSeconds = 62 - now.getUTCSeconds();
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport'], { behaviour: { restartExitCode: 3010, installSeconds } })],
    });
    const window = {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      start: hhmm(now),
      end: hhmm(end),
      timeZone: 'UTC',
    };
    const id = await createRollout(server, { approvalRequired: false, maintenanceWindows: [window] });
    await start(id);
    await eventually(
      async () => (await ofServer(id, 'HUB1')).some((event) => event.type === 'server.restart-deferred'),
      100_000,
      'the restart deferred',
    );
    const held = await serverIn(id, 'HUB1');
    expect(held).toMatchObject({ state: 'running', step: 'restart' });
    expect(held?.progress?.message).toContain('the restart waits for the next maintenance window');
    expect(hostOf('HUB1').reboots).toBe(0);
  });
});

describe('around msiexec: the revocation check and the hooks (policy crlCheckOffDuringInstall, installHooks)', () => {
  it('notes the check turned off and put back and the hooks that ran, also when msiexec fails', async () => {
    const hooks = { 'fse-disable': 'succeeds', 'fse-enable': 'succeeds' } as const;
    fleet = await fleetFor(server, {
      servers: [
        sim('HUB1', ['HubTransport'], { behaviour: { hooks } }),
        sim('HUB2', ['HubTransport'], { behaviour: { hooks, installFails: 'msi-return-value-3' } }),
      ],
    });
    const id = await createRollout(server, {
      approvalRequired: false,
      concurrency: 2,
      failureBudget: { overall: { count: 1 } },
      crlCheckOffDuringInstall: true,
      installHooks: { before: ['fse-disable'], after: ['fse-enable'] },
    });
    await start(id);
    await until(server, id, ['completed', 'completed-with-failures', 'halted'], 30_000);
    for (const name of ['HUB1', 'HUB2']) {
      const trail = await ofServer(id, name);
      const type = (wanted: string) => trail.find((event) => event.type === wanted);
      expect(type('server.crl-check-disabled')?.data, name).toEqual({ previous: '0x23c00' });
      expect(type('server.crl-check-restored')?.data, name).toEqual({ previous: '0x23c00', restored: true });
      expect(type('server.hooks-ran')?.data, name).toEqual({
        hooks: ['before:fse-disable', 'after:fse-enable'],
      });
    }
    expect(await serverIn(id, 'HUB2')).toMatchObject({ state: 'failed', error: { code: 'INSTALL_FAILED' } });
  });

  it('fails the server with HOOK_NOT_FOUND when its agent has no such hook, before msiexec runs', async () => {
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport'], { behaviour: { hooks: {} } })],
    });
    const id = await createRollout(server, {
      approvalRequired: false,
      installHooks: { before: ['fse-disable'], after: [] },
    });
    await start(id);
    await until(server, id, ['halted', 'completed'], 30_000);
    expect(await serverIn(id, 'HUB1')).toMatchObject({ state: 'failed', error: { code: 'HOOK_NOT_FOUND' } });
    expect(hostOf('HUB1').installedUpdates).toHaveLength(0);
  });
});

describe('a rollout stored before the restart policy existed (an upgrade mid-rollout)', () => {
  it('runs with the defaults of the fields its stored policy lacks', async () => {
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport'], { behaviour: { restartExitCode: 3010, msiBusyRuns: 1 } })],
    });
    const id = await createRollout(server, { approvalRequired: false });
    const key = `${server.prefix}rollout:${id}`;
    const stored = JSON.parse((await server.redis.hget(key, 'policy')) ?? '{}') as Record<string, unknown>;
    for (const field of [
      'restart',
      'restartTimeoutSeconds',
      'installerBusy',
      'crlCheckOffDuringInstall',
      'installHooks',
      'clusterMove',
    ])
      delete stored[field];
    await server.redis.hset(key, 'policy', JSON.stringify({ ...stored, installerBusy: undefined }));
    expect((await rollout(server, id)).state).toBe('created');
    await start(id);
    // installerBusy's default waits 300 s: the busy install fails the server only if the default is not there.
    await eventually(
      async () => (await ofServer(id, 'HUB1')).some((event) => event.type === 'server.step-retry-scheduled'),
      15_000,
      'the 1618 retry scheduled by the default policy',
    );
    const retry = (await ofServer(id, 'HUB1')).find((event) => event.type === 'server.step-retry-scheduled');
    expect(retry?.message).toContain('trying again in 300 s (retry 1 of 2)');
  });
});

describe('msiexec 1618: another installation is in progress (policy installerBusy)', () => {
  it('sends the install again after the wait, under a new command id, and the server is updated', {
    timeout: 60_000,
  }, async () => {
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport'], { behaviour: { msiBusyRuns: 1 } })],
    });
    const id = await createRollout(server, {
      approvalRequired: false,
      installerBusy: { retries: 2, waitSeconds: 10 },
    });
    await start(id);
    const done = await until(server, id, ['completed'], 40_000);
    expect(done.counts).toMatchObject({ succeeded: 1 });
    const trail = await ofServer(id, 'HUB1');
    expect(trail.find((event) => event.type === 'server.step-retry-scheduled')).toMatchObject({
      data: { step: 'install', retry: 1, retries: 2 },
    });
    expect(hostOf('HUB1').installedUpdates).toHaveLength(1);
  });

  it('fails INSTALLER_BUSY once the retries are spent', { timeout: 60_000 }, async () => {
    fleet = await fleetFor(server, {
      servers: [sim('HUB1', ['HubTransport'], { behaviour: { msiBusyRuns: 5 } })],
    });
    const id = await createRollout(server, {
      approvalRequired: false,
      installerBusy: { retries: 1, waitSeconds: 10 },
    });
    await start(id);
    const halted = await until(server, id, ['halted', 'completed'], 40_000);
    expect(halted.waves.flatMap((wave) => wave.servers)[0]).toMatchObject({
      state: 'failed',
      error: { code: 'INSTALLER_BUSY' },
    });
  });
});
