import type { AgentMessage, InventoryServer } from '@exrollout/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, enrolAgent, eventually, RawAgent, startTestServer, type TestServer } from './helpers.js';

const cas = (name: string, build = '8.1.311.3'): InventoryServer => ({
  name,
  site: 'HQ',
  build,
  roles: ['ClientAccess', 'HubTransport'],
  internetFacing: true,
});
const inventory = (server: InventoryServer): AgentMessage<'INVENTORY'> => ({
  version: 1,
  type: 'INVENTORY',
  payload: {
    server,
    host: { architecture: 'x64', pendingReboot: false },
    collectedAt: new Date().toISOString(),
  },
});
const heartbeat = (): AgentMessage<'HEARTBEAT'> => ({
  version: 1,
  type: 'HEARTBEAT',
  payload: { sentAt: new Date().toISOString() },
});

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

async function connected(name: string, report = cas(name)): Promise<RawAgent> {
  const agent = await RawAgent.connect(server.wsUrl, await enrolAgent(server, name));
  await agent.hello(name);
  agent.send(inventory(report));
  await eventually(async () => (await server.inventory.get(name)) !== undefined, 3000, `${name} reported`);
  return agent;
}

describe('agent gateway', () => {
  it('takes an enrolled agent from HELLO to a listed, online, non-compliant server', async () => {
    const agent = await RawAgent.connect(server.wsUrl, await enrolAgent(server, 'SEA-CAS01'));
    const welcome = await agent.hello('SEA-CAS01');
    expect(welcome.payload).toMatchObject({ name: 'SEA-CAS01', heartbeatIntervalMs: 200 });
    agent.send(inventory(cas('SEA-CAS01')));
    await eventually(
      async () => (await api(server, 'GET', '/api/v1/servers', server.admin)).body.total === 1,
    );
    const list = await api(server, 'GET', '/api/v1/servers', server.admin);
    expect(list.body.servers).toEqual([
      expect.objectContaining({
        name: 'SEA-CAS01',
        build: '8.1.311.3',
        rollup: 'SP1 RU4',
        online: true,
        compliance: { update: 'KB959241', status: 'needs-update' },
      }),
    ]);
    agent.close();
  });

  it('accepts a passive cluster node reporting on its own', async () => {
    const passive: InventoryServer = {
      name: 'MBX-N2',
      site: 'HQ',
      build: '8.1.336.1',
      roles: ['Mailbox'],
      cluster: { type: 'CCR', name: 'CCR1', role: 'passive' },
    };
    const agent = await connected('MBX-N2', passive);
    expect((await server.inventory.get('MBX-N2'))?.report.cluster).toEqual(passive.cluster);
    agent.close();
  });

  it('records build changes in the server history and answers compliance', async () => {
    const agent = await connected('HUB01');
    agent.send(inventory({ ...cas('HUB01'), build: '8.1.340.1' }));
    await eventually(async () => (await server.inventory.history('HUB01')).length === 2);
    const detail = await api(server, 'GET', '/api/v1/servers/hub01', server.admin);
    expect(detail.body.history).toEqual([
      expect.objectContaining({ from: '8.1.311.3', to: '8.1.340.1' }),
      expect.objectContaining({ from: null, to: '8.1.311.3' }),
    ]);
    const compliance = await api(server, 'GET', '/api/v1/compliance?update=KB959241', server.admin);
    expect(compliance.body.counts).toEqual({ total: 1, current: 1, needsUpdate: 0, excluded: 0 });
    agent.close();
  });

  it('marks a server offline when its heartbeats stop, and online again when they resume', async () => {
    const agent = await connected('MBX01');
    await eventually(async () => (await server.inventory.get('MBX01'))?.online === false, 3000, 'offline');
    agent.send(heartbeat());
    await eventually(
      async () => (await server.inventory.get('MBX01'))?.online === true,
      3000,
      'online again',
    );
    agent.close();
    await eventually(
      async () => (await server.inventory.get('MBX01'))?.online === false,
      3000,
      'offline after close',
    );
  });

  it('refuses invalid frames with an ERROR, writes nothing, and disconnects a peer that keeps sending garbage', async () => {
    const agent = await RawAgent.connect(server.wsUrl, await enrolAgent(server, 'EDGE01'));
    await agent.hello('EDGE01');
    agent.send('not json');
    expect((await agent.next('ERROR')).payload.code).toBe('PROTOCOL_INVALID_JSON');
    agent.send(JSON.stringify({ version: 2, type: 'HEARTBEAT', payload: {} }));
    expect((await agent.next('ERROR')).payload.code).toBe('PROTOCOL_VERSION_UNSUPPORTED');
    agent.send(inventory({ ...cas('EDGE01'), roles: ['Edge', 'Mailbox'] }));
    expect((await agent.next('ERROR')).payload).toMatchObject({ code: 'INVENTORY_INCONSISTENT' });
    agent.send(JSON.stringify({ version: 1, type: 'INVENTORY', payload: { server: { name: 'EDGE01' } } }));
    expect((await agent.next('ERROR')).payload.message).toMatch(/^INVENTORY payload\.(host|server)/);
    for (let i = 0; i < 10; i++) agent.send('{');
    expect((await agent.closed).code).toBe(4002);
    expect(await server.inventory.get('EDGE01')).toBeUndefined();
  });

  it('closes a connection whose HELLO or INVENTORY names another server', async () => {
    const credential = await enrolAgent(server, 'CAS01');
    const impostor = await RawAgent.connect(server.wsUrl, credential);
    impostor.send({
      version: 1,
      type: 'HELLO',
      payload: { name: 'CAS02', agentVersion: 't', driver: 'simulated' },
    });
    expect((await impostor.next('ERROR')).payload.code).toBe('AUTH_NAME_MISMATCH');
    expect((await impostor.closed).code).toBe(4003);
    const agent = await RawAgent.connect(server.wsUrl, credential);
    await agent.hello('cas01');
    agent.send(inventory(cas('CAS02')));
    expect((await agent.closed).code).toBe(4003);
    expect(await server.inventory.get('CAS02')).toBeUndefined();
  });

  it('answers a result for a command it never sent with an error and changes nothing', async () => {
    const agent = await connected('UM01');
    agent.send({
      version: 1,
      type: 'STEP_RESULT',
      payload: {
        commandId: 'r1:UM01:install',
        step: 'install',
        outcome: 'succeeded',
        details: { build: '8.1.340.1' },
        finishedAt: new Date().toISOString(),
      },
    });
    expect((await agent.next('ERROR')).payload.code).toBe('COMMAND_UNKNOWN');
    expect((await server.inventory.get('UM01'))?.report.build).toBe('8.1.311.3');
    agent.close();
  });

  it('refuses a handshake without a valid agent credential, and an operator token', async () => {
    await expect(RawAgent.connect(server.wsUrl)).rejects.toThrow('handshake refused: 401');
    await expect(RawAgent.connect(server.wsUrl, 'exa_forged')).rejects.toThrow('handshake refused: 401');
    await expect(RawAgent.connect(server.wsUrl, server.admin)).rejects.toThrow('handshake refused: 401');
  });
});

describe('enrolment and revocation', () => {
  it('accepts an enrolment token once, and never after it expired', async () => {
    const issued = await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, {});
    expect(issued.status).toBe(201);
    expect(
      (await api(server, 'POST', '/agent/v1/enrol', undefined, { token: issued.body.token, name: 'A1' }))
        .status,
    ).toBe(201);
    const reused = await api(server, 'POST', '/agent/v1/enrol', undefined, {
      token: issued.body.token,
      name: 'A2',
    });
    expect(reused).toEqual({
      status: 401,
      body: { code: 'SRV_ERR_ENROL_TOKEN_INVALID', message: expect.any(String) },
    });
    const expiring = await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, { ttlSeconds: 60 });
    const keys = await server.redis.keys(`${server.prefix}enrol:*`);
    for (const key of keys) await server.redis.pexpire(key, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(
      (await api(server, 'POST', '/agent/v1/enrol', undefined, { token: expiring.body.token, name: 'A3' }))
        .status,
    ).toBe(401);
  });

  it('refuses a name already enrolled, unless the token allows re-enrolment, which cuts off the old credential', async () => {
    const oldCredential = await enrolAgent(server, 'MBX02');
    const plain = await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, {});
    const taken = await api(server, 'POST', '/agent/v1/enrol', undefined, {
      token: plain.body.token,
      name: 'mbx02',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('SRV_ERR_ENROL_NAME_TAKEN');
    const old = await RawAgent.connect(server.wsUrl, oldCredential);
    await old.hello('MBX02');
    const reenrol = await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, { reenrol: true });
    expect(
      (await api(server, 'POST', '/agent/v1/enrol', undefined, { token: reenrol.body.token, name: 'MBX02' }))
        .status,
    ).toBe(201);
    expect((await old.closed).code).toBe(4004);
    await expect(RawAgent.connect(server.wsUrl, oldCredential)).rejects.toThrow('401');
  });

  it('revoking an agent disconnects it and its credential opens nothing afterwards', async () => {
    const credential = await enrolAgent(server, 'HUB02');
    const agent = await RawAgent.connect(server.wsUrl, credential);
    await agent.hello('HUB02');
    expect((await api(server, 'DELETE', '/api/v1/agents/HUB02', server.admin)).status).toBe(200);
    expect((await agent.closed).code).toBe(4004);
    await expect(RawAgent.connect(server.wsUrl, credential)).rejects.toThrow('401');
    expect((await api(server, 'DELETE', '/api/v1/agents/HUB02', server.admin)).status).toBe(404);
  });
});

describe('REST roles', () => {
  it('lets a viewer read but not create tokens, and never lets an agent credential in', async () => {
    const viewer = await api(server, 'POST', '/api/v1/tokens', server.admin, { name: 'noc', role: 'viewer' });
    const token = String(viewer.body.token);
    expect((await api(server, 'GET', '/api/v1/servers', token)).status).toBe(200);
    const denied = await api(server, 'POST', '/api/v1/enrolment-tokens', token, {});
    expect(denied).toEqual({
      status: 403,
      body: {
        code: 'SRV_ERR_AUTH_FORBIDDEN',
        message: 'role viewer may not do this; it needs admin or higher',
      },
    });
    const credential = await enrolAgent(server, 'CAS09');
    expect((await api(server, 'GET', '/api/v1/servers', credential)).status).toBe(401);
    expect((await api(server, 'GET', '/api/v1/servers')).status).toBe(401);
    const listed = await api(server, 'GET', '/api/v1/tokens', server.admin);
    expect(JSON.stringify(listed.body)).not.toContain(token);
  });
});
