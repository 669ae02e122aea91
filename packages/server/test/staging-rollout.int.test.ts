import type { Fleet } from '@exrollout/fleet-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetFor, sim, until } from './fleet-helpers.js';
import { api, startTestServer, type TestServer } from './helpers.js';
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
      policy: {
        approvalRequired: false,
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
      /1025 MB free on the system drive, 1028 MB needed \(the policy margin and twice the package/,
    );
    expect(servers.get('HUB2')?.state).toBe('succeeded');
  });
});
