import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInstantClock, silentLogger } from '@exrollout/agent';
import type { AgentMessage } from '@exrollout/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Peer, startPeer, waitUntil } from '../../agent/test/peer.js';
import { type Fleet, generateFleet, type Scenario, startFleet } from '../src/index.js';

const peers: Peer[] = [];
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
});

async function peer(uses = 1000): Promise<Peer> {
  const started = await startPeer({ tokens: { 'fleet-token': uses }, heartbeatIntervalMs: 200 });
  peers.push(started);
  return started;
}

function start(
  serverUrl: string,
  scenario: Scenario,
  extra: { stateDir?: string; concurrency?: number } = {},
) {
  return startFleet({
    serverUrl,
    scenario,
    enrolToken: 'fleet-token',
    logger: silentLogger,
    concurrency: extra.concurrency ?? 10,
    reconnect: { baseMs: 10, maxMs: 50 },
    clock: createInstantClock(),
    ...(extra.stateDir ? { stateDir: extra.stateDir } : {}),
  });
}

const inventoriesOf = (messages: readonly AgentMessage[], name: string) =>
  messages.filter((message) => message.type === 'INVENTORY' && message.payload.server.name === name);

describe('startFleet against a protocol peer', () => {
  it('enrols every agent, connects them all with bounded concurrency, and stops cleanly', async () => {
    const server = await peer();
    const scenario = generateFleet({ count: 60, seed: 5 });
    const progress: string[] = [];
    fleet = await startFleet({
      serverUrl: server.url,
      scenario,
      enrolToken: 'fleet-token',
      logger: silentLogger,
      concurrency: 8,
      onProgress: ({ phase, done, total }) => progress.push(`${phase} ${done}/${total}`),
    });
    await fleet.waitConnected(10_000);

    expect(fleet.enrolment).toEqual({ enrolled: 60, reused: 0 });
    expect(server.credentials.size).toBe(60);
    expect(fleet.states()).toEqual({ ready: 60 });
    const hellos = server.messages.filter((message) => message.type === 'HELLO');
    expect(new Set(hellos.map((hello) => hello.type === 'HELLO' && hello.payload.name))).toEqual(
      new Set(scenario.servers.map((s) => s.name)),
    );
    expect(progress).toContain('enrol 60/60');
    expect(progress).toContain('connect 60/60');

    await fleet.stop();
    expect(server.connections.every((c) => c.socket.readyState === c.socket.CLOSED)).toBe(true);
    expect(fleet.states()).toEqual({ stopped: 60 });
  });

  it('disconnects, kills, drops and reconnects single agents, also to another server', async () => {
    const first = await peer();
    const second = await peer();
    const scenario = generateFleet({ count: 10, seed: 9 });
    fleet = await start(first.url, scenario);
    await fleet.waitConnected(5000);
    const [a, b, c] = scenario.servers.map((server) => server.name);
    if (!a || !b || !c) throw new Error('expected three servers');

    await fleet.disconnect(a);
    await fleet.kill(b);
    expect(fleet.agent(a).state).toBe('stopped');
    expect(fleet.agent(b).state).toBe('stopped');
    await fleet.waitConnected(5000);

    fleet.drop(c);
    await waitUntil(() => fleet?.agent(c).connections === 2);
    // The second peer shares the first one's credentials, as server instances behind one Redis would.
    for (const connection of first.connections) second.accept(connection.credential, 'any');
    await fleet.reconnect(a, { serverUrl: second.url });
    await fleet.reconnect(b);
    await fleet.waitConnected(5000);

    expect(fleet.agent(a).serverUrl).toBe(second.url);
    expect(second.messages.filter((message) => message.type === 'HELLO')).toHaveLength(1);
    expect(fleet.agent(b).connections).toBe(2);
    expect(() => fleet?.agent('NOPE')).toThrow(/no agent named NOPE/);
  });

  it('moves a clustered mailbox server between nodes, and both nodes report it', async () => {
    const server = await peer();
    const scenario: Scenario = {
      servers: [
        {
          name: 'SEA-MBX01',
          site: 'HQ',
          build: '8.1.311.3',
          roles: ['Mailbox'],
          cluster: { type: 'CCR', name: 'SEA-CLU01', role: 'active', cms: 'SEA-CMS01' },
        },
        {
          name: 'SEA-MBX02',
          site: 'HQ',
          build: '8.1.311.3',
          roles: ['Mailbox'],
          cluster: { type: 'CCR', name: 'SEA-CLU01', role: 'passive' },
        },
      ],
    };
    fleet = await start(server.url, scenario);
    await fleet.waitConnected(5000);
    const details = await fleet
      .agent('SEA-MBX01')
      .driver.runStep(
        'move-cms',
        { cms: 'SEA-CMS01', targetNode: 'SEA-MBX02' },
        { commandId: 'c-1', signal: new AbortController().signal, progress: () => {} },
      );
    expect(details.movedTo).toBe('SEA-MBX02');
    await server.waitFor((messages) => inventoriesOf(messages, 'SEA-MBX02').length >= 2);
    await server.waitFor((messages) => inventoriesOf(messages, 'SEA-MBX01').length >= 2);

    const last = (name: string) => inventoriesOf(server.messages, name).at(-1);
    expect(last('SEA-MBX02')).toMatchObject({
      payload: { server: { cluster: { role: 'active', cms: 'SEA-CMS01' } } },
    });
    expect(last('SEA-MBX01')).toMatchObject({ payload: { server: { cluster: { role: 'passive' } } } });
  });

  it('keeps credentials in --state-dir and reuses them on the next run', async () => {
    const server = await peer(5);
    const stateDir = await mkdtemp(join(tmpdir(), 'fleet-state-'));
    try {
      const scenario = generateFleet({ count: 5, seed: 1 });
      fleet = await start(server.url, scenario, { stateDir });
      await fleet.waitConnected(5000);
      await fleet.stop();
      expect((await readdir(stateDir)).sort()).toEqual(scenario.servers.map((s) => s.name).sort());

      fleet = await start(server.url, scenario, { stateDir });
      await fleet.waitConnected(5000);
      expect(fleet.enrolment).toEqual({ enrolled: 0, reused: 5 });
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('fails clearly when the token is refused, and when the server refuses an agent', async () => {
    const server = await peer(0);
    await expect(start(server.url, generateFleet({ count: 3 }))).rejects.toThrow(
      /agents could not enrol:\n {2}\S+: the enrolment token was refused/,
    );

    const open = await peer(3);
    fleet = await start(open.url, generateFleet({ count: 3, seed: 2 }));
    await fleet.waitConnected(5000);
    const victim = fleet.agents[1];
    if (!victim) throw new Error('expected an agent');
    for (const connection of open.connections) open.revoke(connection.credential);
    open.closeAll(4004, 'revoked');
    await waitUntil(() => victim.state === 'failed');
    await expect(fleet.waitConnected(2000)).rejects.toThrow(/was refused by the server: credential revoked/);
  });
});
