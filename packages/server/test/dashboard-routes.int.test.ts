import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../src/routes/dashboard.js';
import { fleetFor, sim } from './fleet-helpers.js';
import { api, startTestServer, type TestServer } from './helpers.js';

describe('GET /api/v1/me, POST /api/v1/plans, the dashboard at /', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('says who a token is, and refuses no token or a wrong one', async () => {
    const viewer = await server.tokens.createOperatorToken('vera', 'viewer');
    const me = await api(server, 'GET', '/api/v1/me', viewer.token);
    expect(me).toEqual({ status: 200, body: { id: viewer.id, name: 'vera', role: 'viewer' } });
    expect((await api(server, 'GET', '/api/v1/me', server.admin)).body.role).toBe('admin');
    const none = await api(server, 'GET', '/api/v1/me');
    expect(none.body).toMatchObject({ code: 'SRV_ERR_AUTH_REQUIRED' });
    expect(none.body.message).toMatch(/^an operator API token is required/);
    const wrong = await api(server, 'GET', '/api/v1/me', 'exo_nope');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'SRV_ERR_AUTH_REQUIRED' });
    expect(wrong.body.message).toMatch(/^the operator API token was refused: it is unknown or revoked/);
    await server.tokens.revokeOperatorToken(viewer.id);
    const revoked = await api(server, 'GET', '/api/v1/me', viewer.token);
    expect(revoked.body.message).toMatch(/^the operator API token was refused/);
  });

  it('previews the plan of the live inventory for a viewer, with the selection', async () => {
    const fleet = await fleetFor(server, {
      servers: [
        sim('PCAS1', ['ClientAccess'], { internetFacing: true }),
        sim('PCAS2', ['ClientAccess']),
        sim('PHUB1', ['HubTransport']),
        sim('PNEW1', ['HubTransport'], { build: '8.1.340.1' }),
      ],
    });
    try {
      const viewer = await server.tokens.createOperatorToken('vic', 'viewer');
      const plan = await api(server, 'POST', '/api/v1/plans', viewer.token, {});
      expect(plan.status).toBe(200);
      const waves = plan.body.waves as unknown as { name: string; servers: { name: string }[] }[];
      expect(waves.map((wave) => wave.servers.map((s) => s.name))).toEqual([['PCAS1'], ['PCAS2'], ['PHUB1']]);
      expect(plan.body.skipped).toEqual([
        expect.objectContaining({ name: 'PNEW1', code: 'ALREADY_CURRENT' }),
      ]);
      const selected = await api(server, 'POST', '/api/v1/plans', viewer.token, {
        selection: { roles: ['HubTransport'] },
      });
      const selectedWaves = selected.body.waves as unknown as { servers: unknown[] }[];
      expect(selectedWaves.map((wave) => wave.servers.length)).toEqual([0, 0, 1]);
      expect((await api(server, 'GET', '/api/v1/rollouts', server.admin)).body.rollouts).toEqual([]);
      expect((await api(server, 'POST', '/api/v1/plans', undefined, {})).status).toBe(401);
      const unknown = await api(server, 'POST', '/api/v1/plans', viewer.token, { update: 'KB1' });
      expect(unknown.status).toBe(400);
    } finally {
      await fleet.stop();
    }
  });

  it('serves index.html at / and the bundle beside it', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>exrollout</title>');
    expect((await fetch(`${server.url}/app.js`)).status).toBe(200);
    expect((await api(server, 'GET', '/healthz')).body.ok).toBe(true);
  });
});

describe('the dashboard when it is not built', () => {
  it('answers / with 503 SRV_ERR_DASHBOARD_NOT_BUILT', async () => {
    const app = Fastify();
    await app.register(async (scope) =>
      dashboardRoutes(scope, { root: join(tmpdir(), `exr-missing-${process.pid}-${Date.now()}`) }),
    );
    const response = await app.inject({ method: 'GET', url: '/' });
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 503,
      body: { code: 'SRV_ERR_DASHBOARD_NOT_BUILT', message: 'run npm run build' },
    });
    await app.close();
  });
});
