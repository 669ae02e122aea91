import { randomUUID } from 'node:crypto';
import { silentLogger } from '@exrollout/agent';
import { eligibility, KB959241 } from '@exrollout/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, eventually, RawAgent } from '../../server/test/helpers.js';
import {
  createTokenWithCli,
  type ServerProcess,
  serverEnv,
  startServerProcess,
} from '../../server/test/process.js';
import { type Fleet, generateFleet, startFleet } from '../src/index.js';

// The issue-3 acceptance run: two real server processes on one Redis, a fleet simulator of 200 agents.
const FLEET_SIZE = 200;
const prefix = `test-${randomUUID()}:`;
const env = serverEnv(prefix);
const scenario = generateFleet({ count: FLEET_SIZE, seed: 42 });
let a: ServerProcess;
let b: ServerProcess;
let admin: string;
let fleet: Fleet;

async function get(server: ServerProcess, path: string, token = admin) {
  const response = await fetch(`${server.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      servers: { name: string; online: boolean; build: string; compliance: { status: string } }[];
    },
  };
}

async function post(server: ServerProcess, path: string, body: unknown, token = admin) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

const onlineOn = async (server: ServerProcess, name: string) =>
  ((await get(server, `/api/v1/servers/${name}`)).body as unknown as { online: boolean }).online;

beforeAll(async () => {
  [a, b] = await Promise.all([startServerProcess(env, 'instance-a'), startServerProcess(env, 'instance-b')]);
  admin = await createTokenWithCli(env, 'admin');
  const enrolment = await post(a, '/api/v1/enrolment-tokens', { uses: FLEET_SIZE });
  fleet = await startFleet({
    serverUrl: a.url,
    scenario,
    enrolToken: enrolment.body.token ?? '',
    logger: silentLogger,
    concurrency: 50,
    reconnect: { baseMs: 50, maxMs: 500 },
  });
  await fleet.waitConnected(20_000);
  // Half the fleet moves to the second instance, as behind a load balancer.
  await Promise.all(
    scenario.servers
      .slice(0, FLEET_SIZE / 2)
      .map((server) => fleet.reconnect(server.name, { serverUrl: b.url })),
  );
  await fleet.waitConnected(20_000);
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('200 simulated agents on two server instances', () => {
  it('lists every server, online, with the same answers from either instance', async () => {
    await eventually(
      async () => (await get(a, '/api/v1/servers?online=true')).body.total === FLEET_SIZE,
      10_000,
      'all online',
    );
    const list = async (instance: typeof a) =>
      (await get(instance, '/api/v1/servers')).body.servers.map(({ name, build, online, compliance }) => ({
        name,
        build,
        online,
        compliance,
      }));
    // Two reads are two moments: on a loaded machine an agent's heartbeat can be late between them, so the
    // instances must agree on one pair of reads within the time, not on the first.
    let fromA = await list(a);
    let fromB = await list(b);
    await eventually(
      async () => {
        [fromA, fromB] = [await list(a), await list(b)];
        return JSON.stringify(fromA) === JSON.stringify(fromB);
      },
      10_000,
      'both instances give the same list',
    );
    expect(fromA).toHaveLength(FLEET_SIZE);
    expect(fromB).toEqual(fromA);
  });

  it('reports compliance with KB959241 as the planner judges each build', async () => {
    const expected = { current: 0, needsUpdate: 0, excluded: 0 };
    for (const server of scenario.servers) {
      const verdict = eligibility(server, KB959241).kind;
      if (verdict === 'current') expected.current++;
      else if (verdict === 'update') expected.needsUpdate++;
      else expected.excluded++;
    }
    const [fromA, fromB] = await Promise.all([get(a, '/api/v1/compliance'), get(b, '/api/v1/compliance')]);
    expect(fromA.body.counts).toEqual({ total: FLEET_SIZE, ...expected });
    expect(fromB.body.counts).toEqual(fromA.body.counts);
  });

  it('marks agents that vanish offline on both instances, and online again when they reconnect to the other', async () => {
    const victims = scenario.servers.slice(FLEET_SIZE - 3).map((server) => server.name);
    await Promise.all(victims.map((name) => fleet.kill(name)));
    for (const name of victims) {
      await eventually(
        async () => !(await onlineOn(a, name)) && !(await onlineOn(b, name)),
        8000,
        `${name} offline`,
      );
    }
    await Promise.all(victims.map((name) => fleet.reconnect(name, { serverUrl: b.url })));
    for (const name of victims) {
      await eventually(
        async () => (await onlineOn(a, name)) && (await onlineOn(b, name)),
        8000,
        `${name} online`,
      );
      const detail = (await get(a, `/api/v1/servers/${name}`)).body as unknown as {
        agent: { instance: string };
      };
      expect(detail.agent.instance).toBe('instance-b');
    }
  });

  it('revoking an agent through one instance disconnects it from the other, for good', async () => {
    const name = scenario.servers[FLEET_SIZE / 2]?.name ?? '';
    expect(fleet.agent(name).state).toBe('ready');
    const response = await fetch(`${b.url}/api/v1/agents/${name}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(response.status).toBe(200);
    await eventually(async () => fleet.agent(name).state === 'failed', 5000, 'agent stopped as revoked');
    await eventually(async () => !(await onlineOn(a, name)), 5000, 'offline after revocation');
  });

  it('refuses a used-up enrolment token, unauthenticated calls and malformed traffic', async () => {
    const single = await post(a, '/api/v1/enrolment-tokens', {});
    expect(
      (await post(b, '/agent/v1/enrol', { token: single.body.token, name: 'NEW-SRV01' }, '')).status,
    ).toBe(201);
    const again = await post(a, '/agent/v1/enrol', { token: single.body.token, name: 'NEW-SRV02' }, '');
    expect(again.body.code).toBe('SRV_ERR_ENROL_TOKEN_INVALID');
    expect((await get(a, '/api/v1/servers', '')).status).toBe(401);
    await expect(RawAgent.connect(`${a.url.replace('http', 'ws')}/agent/v1`)).rejects.toThrow('401');
    const enrolled = await post(
      b,
      '/agent/v1/enrol',
      { token: (await post(a, '/api/v1/enrolment-tokens', {})).body.token, name: 'NEW-SRV03' },
      '',
    );
    const raw = await RawAgent.connect(`${b.url.replace('http', 'ws')}/agent/v1`, enrolled.body.credential);
    for (let i = 0; i < 12; i++)
      raw.send(i % 2 ? '{"version":1,"type":"HEARTBEAT","payload":{}}' : 'garbage');
    expect((await raw.next('ERROR')).payload.code).toBe('PROTOCOL_INVALID_JSON');
    expect((await raw.closed).code).toBe(4002);
    expect(
      (await get(a, '/api/v1/servers')).body.servers.some((server) => server.name.startsWith('NEW-SRV')),
    ).toBe(false);
  });
});
