import { Writable } from 'node:stream';
import type { Fleet } from '@exrollout/fleet-sim';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRollout, fleetFor, rollout, sim } from './fleet-helpers.js';
import { api, startTestServer, type TestServer } from './helpers.js';

// Issue 14 item 7: an operator pins a CAS's Internet-facing flag; plans made by the server use the pin.

interface Planned {
  name: string;
  waveReason?: string;
}
interface Plan {
  waves: { name: string; servers: Planned[] }[];
}

let server: TestServer;
let second: TestServer | undefined;
let fleet: Fleet;
let operator = '';
let viewer = '';
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  server = await startTestServer({}, undefined, undefined, pino({ level: 'info' }, sink));
  fleet = await fleetFor(server, {
    servers: [
      sim('CAS1', ['ClientAccess'], { internetFacing: false }),
      sim('CAS2', ['ClientAccess'], { internetFacing: true }),
      sim('HUB1', ['HubTransport']),
    ],
  });
  operator = (await server.tokens.createOperatorToken('alice', 'operator')).token;
  viewer = (await server.tokens.createOperatorToken('vera', 'viewer')).token;
});
afterAll(async () => {
  await fleet?.stop();
  await second?.close();
  await server?.close();
});

const pinPath = (name: string) => `/api/v1/servers/${name}/internet-facing`;

async function placement(name: string): Promise<{ wave: string; waveReason?: string }> {
  const plan = (await api(server, 'POST', '/api/v1/plans', viewer, {})).body as unknown as Plan;
  for (const wave of plan.waves) {
    const found = wave.servers.find((entry) => entry.name === name);
    if (found) return { wave: wave.name, ...(found.waveReason ? { waveReason: found.waveReason } : {}) };
  }
  throw new Error(`${name} is not planned`);
}

describe('Internet-facing pins', () => {
  it('refuses a viewer (403) and writes nothing', async () => {
    const put = await api(server, 'PUT', pinPath('CAS1'), viewer, { internetFacing: true });
    expect([put.status, put.body.code]).toEqual([403, 'SRV_ERR_AUTH_FORBIDDEN']);
    const del = await api(server, 'DELETE', pinPath('CAS1'), viewer);
    expect([del.status, del.body.code]).toEqual([403, 'SRV_ERR_AUTH_FORBIDDEN']);
    expect(await server.inventory.pins.all()).toEqual(new Map());
  });

  it('plans a CAS whose agent reports internal in wave cas-internal, saying why', async () => {
    expect(await placement('CAS1')).toEqual({
      wave: 'cas-internal',
      waveReason: 'internal: no OWA ExternalUrl',
    });
    expect(await placement('CAS2')).toEqual({
      wave: 'cas-internet-facing',
      waveReason: 'Internet-facing: OWA ExternalUrl set',
    });
  });

  it('pins it Internet-facing: the pin records who and when, shows on the server, and moves it to wave 1', async () => {
    const put = await api(server, 'PUT', pinPath('cas1'), operator, {
      internetFacing: true,
      reason: 'publishes OWA through the ISA array',
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      name: 'CAS1',
      internetFacing: true,
      pinnedBy: 'alice',
      pinnedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      reason: 'publishes OWA through the ISA array',
    });
    const shown = await api(server, 'GET', '/api/v1/servers/CAS1', viewer);
    expect(shown.body).toMatchObject({
      internetFacing: true,
      reportedInternetFacing: false,
      internetFacingPin: put.body,
    });
    const listed = await api(server, 'GET', '/api/v1/servers', viewer);
    const views = listed.body.servers as unknown as Record<string, unknown>[];
    expect(views.find((view) => view.name === 'CAS1')).toMatchObject({ internetFacingPin: put.body });
    expect(views.find((view) => view.name === 'CAS2')).not.toHaveProperty('internetFacingPin');
    expect(await placement('CAS1')).toEqual({
      wave: 'cas-internet-facing',
      waveReason: 'Internet-facing: pinned by alice',
    });
    expect(logLines).toContainEqual(
      expect.objectContaining({ msg: 'internet-facing pinned', server: 'CAS1', pinnedBy: 'alice' }),
    );
  });

  it('creates a rollout with the pinned CAS in wave cas-internet-facing', async () => {
    const id = await createRollout({ url: server.url, admin: operator }, {}, { names: ['CAS1'] });
    const waves = (await rollout(server, id)).waves;
    expect(waves.map((wave) => [wave.name, wave.servers.map((entry) => entry.name)])).toEqual([
      ['cas-internet-facing', ['CAS1']],
      ['cas-internal', []],
      ['remaining', []],
    ]);
  });

  it("outlives the agent's next inventory report, which still says internal", async () => {
    const record = await server.inventory.get('CAS1');
    if (!record) throw new Error('CAS1 has not reported');
    expect(record.report.internetFacing).toBe(false);
    await server.inventory.report('CAS1', record.report, record.host, new Date().toISOString(), new Date());
    expect(await placement('CAS1')).toEqual({
      wave: 'cas-internet-facing',
      waveReason: 'Internet-facing: pinned by alice',
    });
  });

  it('is seen by every server instance: the pin lives in Redis', async () => {
    second = await startTestServer({}, server.prefix);
    const shown = await api(second, 'GET', '/api/v1/servers/CAS1', viewer);
    expect(shown.body).toMatchObject({ internetFacingPin: { pinnedBy: 'alice', internetFacing: true } });
  });

  it('pins a CAS its agent reports Internet-facing internal', async () => {
    expect((await api(server, 'PUT', pinPath('CAS2'), operator, { internetFacing: false })).status).toBe(200);
    expect(await placement('CAS2')).toEqual({
      wave: 'cas-internal',
      waveReason: 'internal: pinned by alice',
    });
    expect((await api(server, 'DELETE', pinPath('CAS2'), operator)).status).toBe(200);
  });

  it('refuses to pin a server that is not a Client Access server (409) or is unknown (404)', async () => {
    const hub = await api(server, 'PUT', pinPath('HUB1'), operator, { internetFacing: true });
    expect([hub.status, hub.body.code]).toEqual([409, 'SRV_ERR_SERVER_NOT_CLIENT_ACCESS']);
    const unknown = await api(server, 'PUT', pinPath('NOPE1'), operator, { internetFacing: true });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'SRV_ERR_NOT_FOUND']);
    const bad = await api(server, 'PUT', pinPath('CAS1'), operator, { internetFacing: 'yes' });
    expect([bad.status, bad.body.code]).toEqual([400, 'SRV_ERR_VALIDATION']);
    expect([...(await server.inventory.pins.all()).keys()]).toEqual(['cas1']);
  });

  it('unpins it: the agent decides again, and a second unpin is 404', async () => {
    const del = await api(server, 'DELETE', pinPath('CAS1'), operator);
    expect([del.status, del.body]).toEqual([200, { name: 'CAS1', unpinned: true }]);
    expect(await placement('CAS1')).toEqual({
      wave: 'cas-internal',
      waveReason: 'internal: no OWA ExternalUrl',
    });
    const shown = await api(server, 'GET', '/api/v1/servers/CAS1', viewer);
    expect(shown.body.internetFacing).toBe(false);
    expect(shown.body).not.toHaveProperty('internetFacingPin');
    expect(shown.body).not.toHaveProperty('reportedInternetFacing');
    const again = await api(server, 'DELETE', pinPath('CAS1'), operator);
    expect([again.status, again.body.code]).toEqual([404, 'SRV_ERR_NOT_FOUND']);
    expect(logLines).toContainEqual(
      expect.objectContaining({ msg: 'internet-facing unpinned', server: 'CAS1', unpinnedBy: 'alice' }),
    );
  });
});
