import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentMessage, PlanStep, ServerMessage } from '@exrollout/core';
import { afterEach, describe, expect, it } from 'vitest';
import { followHostEvents } from '../src/cli/host-events.js';
import type { SimulatedBehaviour } from '../src/drivers/simulated/schema.js';
import { casOnRu4, INSTALL_ARGS, precheckArgs, RU6 } from '../src/drivers/simulated/test-fixtures.js';
import { countInstalls, createGatedClock } from '../src/executor/test-support.js';
import {
  AgentClient,
  createInstantClock,
  FileJournal,
  journalDir,
  type SimulatedClock,
  SimulatedDriver,
  StepExecutor,
  silentLogger,
} from '../src/index.js';
import { type Peer, startPeer } from './peer.js';

const CREDENTIAL = 'executor-credential';
const VERIFY_ARGS = { targetBuild: RU6, remedyKb944752: false };
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(behaviour: SimulatedBehaviour, clock: SimulatedClock = createInstantClock()) {
  const peer = await startPeer({ heartbeatIntervalMs: 100 });
  peer.accept(CREDENTIAL, 'SEA-CAS01');
  const stateDir = await mkdtemp(join(tmpdir(), 'exrollout-executor-'));
  const driver = new SimulatedDriver(casOnRu4(behaviour), { clock });
  const journal = new FileJournal({ dir: journalDir(stateDir), logger: silentLogger });
  const executor = new StepExecutor({ driver, journal, logger: silentLogger });
  const client = new AgentClient({
    serverUrl: peer.url,
    credential: CREDENTIAL,
    name: 'SEA-CAS01',
    driver,
    logger: silentLogger,
    agentVersion: '0.1.0-test',
    reconnect: { baseMs: 10, maxMs: 40 },
    commandHandler: executor,
  });
  const unfollow = followHostEvents(driver, client, silentLogger, { rebootMs: 50 });
  cleanups.push(async () => {
    unfollow();
    await client.stop();
    await executor.cancelRunning('test over');
    await peer.close();
    await rm(stateDir, { recursive: true, force: true });
  });
  client.start();
  await peer.waitFor((messages) => messages.some((message) => message.type === 'INVENTORY'));
  return { peer, driver, client, executor, journal, installs: countInstalls(driver, RU6) };
}

function commandMessage(commandId: string, step: PlanStep, args: object): ServerMessage<'COMMAND'> {
  return {
    version: 1,
    type: 'COMMAND',
    payload: { commandId, rolloutId: 'r-abc123', step, args: { ...args } },
  };
}

const resultsOf = (messages: readonly AgentMessage[], commandId: string) =>
  messages.filter(
    (message): message is AgentMessage<'STEP_RESULT'> =>
      message.type === 'STEP_RESULT' && message.payload.commandId === commandId,
  );

async function run(peer: Peer, commandId: string, step: PlanStep, args: object, results = 1) {
  expect(peer.send(commandMessage(commandId, step, args))).toBe(true);
  await peer.waitFor((messages) => resultsOf(messages, commandId).length >= results);
  return resultsOf(peer.messages, commandId).at(-1)?.payload;
}

describe('StepExecutor behind a real AgentClient and socket', () => {
  it('reports an install interrupted by a lost connection after the reconnect, having installed once', async () => {
    const { peer, driver, installs } = await setUp({ disconnectDuringInstall: true });
    const ids = ['precheck', 'install', 'verify'].map((step) => `r-abc123:SEA-CAS01:${step}:1`);
    const [precheckId = '', installId = '', verifyId = ''] = ids;

    expect(await run(peer, precheckId, 'precheck', precheckArgs())).toMatchObject({ outcome: 'succeeded' });
    const install = await run(peer, installId, 'install', INSTALL_ARGS);
    expect(install).toMatchObject({ outcome: 'succeeded', details: { build: RU6 } });
    expect(peer.connections).toHaveLength(2);
    expect(resultsOf(peer.connections[0]?.messages ?? [], installId)).toEqual([]);
    expect(resultsOf(peer.connections[1]?.messages ?? [], installId)).toHaveLength(1);
    // The server sees the new build before the result that says the install made it.
    const second = peer.connections[1]?.messages ?? [];
    const resultAt = second.findIndex((message) => message.type === 'STEP_RESULT');
    const updatedAt = second.findIndex(
      (message) => message.type === 'INVENTORY' && message.payload.server.build === RU6,
    );
    expect(updatedAt).toBeGreaterThanOrEqual(0);
    expect(updatedAt).toBeLessThan(resultAt);

    // The server repeats the command after the reconnect: the same result, and no second install.
    expect(await run(peer, installId, 'install', INSTALL_ARGS, 2)).toEqual(install);
    expect(await run(peer, verifyId, 'verify', VERIFY_ARGS)).toMatchObject({ outcome: 'succeeded' });
    expect(peer.messages.filter((message) => message.type === 'INVENTORY').length).toBeGreaterThanOrEqual(2);
    expect(installs()).toBe(1);
    expect(driver.state().server.build).toBe(RU6);
    expect(peer.messages.filter((message) => message.type === 'COMMAND_ACK')).toHaveLength(3);
  });

  it('reports an install the simulated host completed while restarting, after the agent is back', async () => {
    const { peer, driver, installs } = await setUp({ rebootDuringInstall: true });
    const install = await run(peer, 'c-install', 'install', INSTALL_ARGS);
    expect(install).toMatchObject({ outcome: 'succeeded', details: { build: RU6 } });
    expect(resultsOf(peer.connections[1]?.messages ?? [], 'c-install')).toHaveLength(1);
    expect(driver.state().reboots).toBe(1);
    expect(installs()).toBe(1);
  });

  it('acknowledges a command repeated on a new connection while it runs, and reports it once', async () => {
    const clock = createGatedClock();
    const { peer, client, executor, installs } = await setUp({}, clock);
    expect(peer.send(commandMessage('c-install', 'install', INSTALL_ARGS))).toBe(true);
    await peer.waitFor((messages) =>
      messages.some(
        (message) => message.type === 'HEARTBEAT' && message.payload.runningCommandId === 'c-install',
      ),
    );
    client.drop();
    await peer.waitFor(() => peer.connections.length === 2 && peer.connections[1]?.name !== undefined);
    await peer.waitFor(() => (peer.connections[1]?.messages.length ?? 0) > 1);
    expect(peer.send(commandMessage('c-install', 'install', INSTALL_ARGS))).toBe(true);
    await peer.waitFor(() => peer.connections[1]?.messages.some((m) => m.type === 'COMMAND_ACK') ?? false);
    while (executor.runningCommandId()) {
      clock.release();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await peer.waitFor((messages) => resultsOf(messages, 'c-install').length === 1);
    await executor.idle();

    expect(resultsOf(peer.messages, 'c-install')).toHaveLength(1);
    expect(peer.messages.filter((message) => message.type === 'COMMAND_ACK')).toHaveLength(2);
    expect(installs()).toBe(1);
  });
});
