import type { Fleet } from '@exrollout/fleet-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, fleetFor, rollout, sim, until } from './fleet-helpers.js';
import { api, eventually, startTestServer, type TestServer } from './helpers.js';
import { fakeMsp, tempStore, upload } from './package-files.js';

// Issue 15: rollouts whose packages come from the server's store.

let store: Awaited<ReturnType<typeof tempStore>>;
let server: TestServer;
let fleet: Fleet;
let sha256 = '';

beforeAll(async () => {
  store = await tempStore();
  server = await startTestServer({ packageDir: store.dir });
  fleet = await fleetFor(server, {
    servers: [
      // 1,025 MB free: enough for the 1,024 MB margin alone, not for the margin and twice the package.
      sim('HUB1', ['HubTransport'], { behaviour: { freeDiskMb: 1025 } }),
      sim('HUB2', ['HubTransport'], { behaviour: { freeDiskMb: 4096 } }),
      sim('CAS-EXT1', ['ClientAccess'], { internetFacing: true }),
      sim('CAS-INT1', ['ClientAccess'], { behaviour: { staging: { mbps: 50, cutHalfway: true } } }),
      sim('HUB3', ['HubTransport']),
      sim('HUB4', ['HubTransport'], { behaviour: { staging: { failure: 'unreachable' } } }),
      sim('HUB5', ['HubTransport'], { behaviour: { freeDiskMb: 3 } }),
    ],
  });
  const stored = await upload(server, server.admin, fakeMsp(1_500_000));
  sha256 = String(stored.body.sha256);
});
afterAll(async () => {
  await fleet?.stop();
  await server?.close();
  await store?.remove();
});

describe('the free space an install needs', () => {
  it('counts twice the package on top of the margin: a server with room for the margin alone is not started', async () => {
    const created = await api(server, 'POST', '/api/v1/rollouts', server.admin, {
      packages: { x64: sha256 },
      selection: { names: ['HUB1', 'HUB2'] },
      policy: {
        approvalRequired: false,
        // Staged in turn: the server-side check before the first step sees the free space as reported.
        stageAhead: false,
        minFreeMb: 1024,
        concurrency: 2,
        failureBudget: { overall: { count: 5 } },
      },
    });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect((created.body.policy as unknown as { packageBytes: unknown }).packageBytes).toEqual({
      x64: 1_500_000,
    });
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    const done = await until(server, id, ['completed', 'completed-with-failures', 'halted', 'failed']);
    const servers = new Map(done.waves.flatMap((wave) => wave.servers).map((s) => [s.name, s]));
    expect(servers.get('HUB1')?.state).toBe('skipped');
    expect(servers.get('HUB1')?.error).toMatchObject({ code: 'DISK_SPACE' });
    expect(servers.get('HUB1')?.error?.message).toMatch(
      /^1025 MB free on the system drive, 1028 MB needed \(the policy margin and twice the package/,
    );
    expect(servers.get('HUB2')?.state).toBe('succeeded');
  });
});

interface StagingView {
  state: string;
  bytes: number;
  total: number;
  percent: number;
  resumedFrom?: number;
}

describe('staging ahead of the waves', () => {
  it('stages every server as the rollout starts, waits for the gate, then installs; a server whose staging failed is never started', async () => {
    const created = await api(server, 'POST', '/api/v1/rollouts', server.admin, {
      packages: { x64: sha256 },
      selection: { names: ['CAS-EXT1', 'CAS-INT1', 'HUB3', 'HUB4', 'HUB5'] },
      policy: {
        approvalRequired: true,
        concurrency: 1,
        stageConcurrency: 2,
        minFreeMb: 0,
        failureBudget: { overall: { count: 5 } },
      },
    });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    await until(server, id, ['awaiting-approval']);
    // At the gate before wave 2, the later waves' servers are staged (or failed staging), none started.
    let staging = new Map<string, { state: string; staging?: StagingView; error: { code: string } | null }>();
    await eventually(
      async () => {
        const view = await rollout(server, id);
        staging = new Map(view.waves.flatMap((w) => w.servers).map((s) => [s.name, s as never]));
        return ['CAS-INT1', 'HUB3', 'HUB4', 'HUB5'].every((name) => staging.get(name)?.state !== 'running');
      },
      10_000,
      'staging ahead finished',
    );
    expect(staging.get('CAS-INT1')).toMatchObject({
      state: 'pending',
      staging: { state: 'staged', bytes: 1_500_000, total: 1_500_000, percent: 100, resumedFrom: 750_000 },
    });
    expect(staging.get('HUB3')).toMatchObject({
      state: 'pending',
      staging: { state: 'staged', resumedFrom: 0 },
    });
    expect(staging.get('HUB4')).toMatchObject({
      state: 'failed',
      error: { code: 'STAGE_SERVER_UNREACHABLE' },
    });
    expect(staging.get('HUB5')).toMatchObject({ state: 'failed', error: { code: 'STAGE_DISK_FULL' } });

    await api(server, 'POST', `/api/v1/rollouts/${id}/approve`, server.admin, {});
    // Wave 3 has servers that already failed (staging): it is under way, and opens without a gate.
    const done = await until(server, id, ['completed', 'completed-with-failures', 'halted']);
    expect(done.state).toBe('completed-with-failures');
    const states = Object.fromEntries(done.waves.flatMap((w) => w.servers).map((s) => [s.name, s.state]));
    expect(states).toEqual({
      'CAS-EXT1': 'succeeded',
      'CAS-INT1': 'succeeded',
      HUB3: 'succeeded',
      HUB4: 'failed',
      HUB5: 'failed',
    });

    const trail = await events(server, id);
    const stepsOf = (name: string) =>
      trail.filter((e) => e.server === name && e.type === 'server.step-started').map((e) => e.data?.step);
    // Staged ahead: its turn starts at precheck; the failed ones never got a step past stage.
    expect(stepsOf('HUB3')).toEqual(['stage', 'precheck', 'install', 'verify']);
    expect(stepsOf('HUB4')).toEqual(['stage']);
    expect(trail.some((e) => e.server === 'HUB4' && e.type === 'server.started')).toBe(false);
    const stagedAt = Date.parse(
      trail.find((e) => e.server === 'HUB3' && e.type === 'server.staged')?.at ?? '',
    );
    const wave3 = Date.parse(trail.find((e) => e.server === 'HUB3' && e.type === 'server.started')?.at ?? '');
    expect(stagedAt).toBeLessThan(wave3);
  }, 60_000);
});
