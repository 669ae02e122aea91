import { createInstantClock, silentLogger } from '@exrollout/agent';
import type { AgentMessage, ServerMessage } from '@exrollout/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Peer, startPeer } from '../../agent/test/peer.js';
import { type Fleet, type FleetAgent, type Scenario, startFleet } from '../src/index.js';

const RU4 = '8.1.311.3';
const RU6 = '8.1.340.1';
const INSTALL_ARGS = {
  package: {
    file: 'Exchange2007-KB959241-x64-EN.msp',
    sha256: 'c0ffee0ddba11a5e0f1ce5ca1ab1edeadbeef00000000000000000000959241a',
  },
  targetBuild: RU6,
};

let peer: Peer | undefined;
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.stop();
  await peer?.close();
  fleet = undefined;
  peer = undefined;
});

const hub = (name: string, behaviour: Record<string, boolean>) => ({
  name,
  site: 'HQ-Seattle',
  build: RU4,
  roles: ['HubTransport' as const],
  behaviour,
});

const scenario: Scenario = {
  servers: [
    hub('SEA-HUB01', { disconnectDuringInstall: true }),
    hub('SEA-HUB02', { rebootDuringInstall: true }),
    hub('SEA-HUB03', {}),
  ],
};

function install(name: string): ServerMessage<'COMMAND'> {
  return {
    version: 1,
    type: 'COMMAND',
    payload: { commandId: `r-1:${name}:install:1`, rolloutId: 'r-1', step: 'install', args: INSTALL_ARGS },
  };
}

const resultsFor = (messages: readonly AgentMessage[], name: string) =>
  messages.filter(
    (message): message is AgentMessage<'STEP_RESULT'> =>
      message.type === 'STEP_RESULT' && message.payload.commandId === `r-1:${name}:install:1`,
  );

function countInstalls(agent: FleetAgent): () => number {
  let build = agent.driver.state().server.build;
  let installs = 0;
  agent.driver.onChange((state) => {
    if (state.server.build !== build && state.server.build === RU6) installs += 1;
    build = state.server.build;
  });
  return () => installs;
}

describe('fleet agents run commands through their executor', () => {
  it('reports installs cut by a lost connection or a restart after the agent is back, installing once', async () => {
    peer = await startPeer({ tokens: { 'fleet-token': 10 }, heartbeatIntervalMs: 100 });
    const server = peer;
    fleet = await startFleet({
      serverUrl: server.url,
      scenario,
      enrolToken: 'fleet-token',
      logger: silentLogger,
      reconnect: { baseMs: 10, maxMs: 50 },
      clock: createInstantClock(),
      rebootMs: 100,
    });
    await fleet.waitConnected(5000);
    const names = scenario.servers.map((server) => server.name);
    const agents = names.map((name) => fleet?.agent(name)).filter((agent) => agent !== undefined);
    const installs = agents.map(countInstalls);
    for (const name of names) expect(server.send(install(name), name)).toBe(true);
    await server.waitFor((messages) => names.every((name) => resultsFor(messages, name).length === 1));

    for (const name of names)
      expect(resultsFor(server.messages, name)[0]?.payload).toMatchObject({
        outcome: 'succeeded',
        details: { build: RU6 },
      });
    expect(installs.map((count) => count())).toEqual([1, 1, 1]);
    expect(names.map((name) => fleet?.agent(name).connections)).toEqual([2, 2, 1]);
    expect(fleet.agent('SEA-HUB02').driver.state().reboots).toBe(1);
    const hello = (name: string) => server.connections.filter((connection) => connection.name === name);
    expect(resultsFor(hello('SEA-HUB02')[1]?.messages ?? [], 'SEA-HUB02')).toHaveLength(1);
    expect(fleet.agent('SEA-HUB02').journal.size).toBe(1);
  });

  it('answers a repeated command from its journal after being killed and reconnected', async () => {
    peer = await startPeer({ tokens: { 'fleet-token': 10 }, heartbeatIntervalMs: 100 });
    const server = peer;
    fleet = await startFleet({
      serverUrl: server.url,
      scenario: { servers: [hub('SEA-HUB03', {})] },
      enrolToken: 'fleet-token',
      logger: silentLogger,
      reconnect: { baseMs: 10, maxMs: 50 },
      clock: createInstantClock(),
    });
    await fleet.waitConnected(5000);
    const installs = countInstalls(fleet.agent('SEA-HUB03'));
    server.send(install('SEA-HUB03'));
    await server.waitFor((messages) => resultsFor(messages, 'SEA-HUB03').length === 1);
    await fleet.kill('SEA-HUB03');
    await fleet.reconnect('SEA-HUB03');
    server.send(install('SEA-HUB03'));
    await server.waitFor((messages) => resultsFor(messages, 'SEA-HUB03').length === 2);

    const [first, again] = resultsFor(server.messages, 'SEA-HUB03');
    expect(again).toEqual(first);
    expect(installs()).toBe(1);
    expect(server.messages.filter((message) => message.type === 'COMMAND_ACK')).toHaveLength(1);
  });

  it('aborts a step still running when the fleet stops, leaving no timer', async () => {
    peer = await startPeer({ tokens: { 'fleet-token': 10 }, heartbeatIntervalMs: 100 });
    const server = peer;
    fleet = await startFleet({
      serverUrl: server.url,
      scenario: { servers: [{ ...hub('SEA-HUB03', {}), behaviour: { installSeconds: 3600 } }] },
      enrolToken: 'fleet-token',
      logger: silentLogger,
    });
    await fleet.waitConnected(5000);
    const agent = fleet.agent('SEA-HUB03');
    server.send(install('SEA-HUB03'));
    await server.waitFor((messages) => messages.some((message) => message.type === 'COMMAND_ACK'));
    expect(agent.executor.runningCommandId()).toBe('r-1:SEA-HUB03:install:1');

    const started = Date.now();
    await fleet.stop();
    fleet = undefined;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(agent.executor.runningCommandId()).toBeUndefined();
    expect(await agent.journal.get('r-1:SEA-HUB03:install:1')).toMatchObject({
      state: 'done',
      sent: false,
      result: { outcome: 'failed', error: { code: 'STEP_CANCELLED' } },
    });
    expect(agent.driver.state().server.build).toBe(RU4);
  });
});
