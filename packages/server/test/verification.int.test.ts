import type { AgentMessage, InventoryServer, StepDetails } from '@exrollout/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ack, HandAgent, plainly, type Turn } from './chaos/hand-agent.js';
import { createRollout, events, rollout, until } from './fleet-helpers.js';
import { api, eventually, startTestServer, type TestServer } from './helpers.js';

// The engine takes no agent's word for a build: a verify step succeeds only when the agent's own inventory shows it.
const FROM = '8.1.311.3';
const TARGET = '8.1.340.1';
let server: TestServer;
let agent: HandAgent | undefined;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  agent?.stop();
  agent = undefined;
  await server.close();
});

const hub: InventoryServer = { name: 'HUB1', site: 'HQ', build: FROM, roles: ['HubTransport'] };

async function handAgent(): Promise<HandAgent> {
  agent = await HandAgent.start(server, hub);
  await eventually(async () => (await server.inventory.get('HUB1')) !== undefined, 5000, 'reported');
  return agent;
}

function result(turn: Turn, details: StepDetails): AgentMessage<'STEP_RESULT'> {
  return { ...turn.result, payload: { ...turn.result.payload, details } };
}

/** Answers install with its result alone (no inventory after it), and verify as `verify` says. */
function withVerify(verify: (turn: Turn) => Promise<void>): (turn: Turn) => Promise<void> {
  return async (turn) => {
    if (turn.command.step === 'install')
      return turn.agent.sendAll([ack(turn.command.commandId), turn.result]);
    if (turn.command.step === 'verify') return verify(turn);
    return plainly(turn);
  };
}

const serverRun = async (id: string) => (await rollout(server, id)).waves[2]?.servers[0];
const trail = async (id: string) =>
  (await events(server, id))
    .filter((e) => e.server === 'HUB1')
    .map((e) => `${e.type.replace(/^server\./, '')}${e.data?.step ? `:${e.data.step}` : ''}`);

describe("what the engine takes from an agent's step result", () => {
  it("fails a server whose agent's inventory, collected after verify, still shows the old build", async () => {
    const hand = await handAgent();
    hand.script = withVerify(async (turn) => {
      // The agent says 8.1.340.1, and then reports an inventory that says otherwise.
      hand.sendAll([ack(turn.command.commandId), hand.inventory(FROM), result(turn, { build: TARGET })]);
    });
    const id = await createRollout(server, { approvalRequired: false });
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    const halted = await until(server, id, ['halted']);
    expect(halted.waves[2]?.servers[0]).toMatchObject({
      state: 'failed',
      step: 'verify',
      error: {
        code: 'BUILD_MISMATCH',
        message: expect.stringMatching(/verify reported 8\.1\.340\.1, but .* reports 8\.1\.311\.3/),
      },
    });
    expect((await api(server, 'GET', '/api/v1/servers/HUB1', server.admin)).body.compliance).toMatchObject({
      status: 'needs-update',
    });
    expect(await trail(id)).toEqual([
      'started',
      'step-started:precheck',
      'step-succeeded:precheck',
      'step-started:install',
      'step-succeeded:install',
      'step-started:verify',
      'step-failed:verify',
      'failed',
    ]);
  });

  it('waits for the inventory that shows the effect when the result comes first, then succeeds', async () => {
    const hand = await handAgent();
    hand.script = withVerify(async (turn) => hand.sendAll([ack(turn.command.commandId), turn.result]));
    const id = await createRollout(server, { approvalRequired: false });
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    await eventually(async () => (await trail(id)).includes('confirming'), 10_000, 'waiting to confirm');
    expect(await serverRun(id)).toMatchObject({
      state: 'running',
      step: 'verify',
      progress: { message: `waiting for an inventory report of HUB1 that shows ${TARGET}` },
    });
    hand.send(hand.inventory());
    const done = await until(server, id, ['completed']);
    expect(done.waves[2]?.servers[0]).toMatchObject({ state: 'succeeded', toBuild: TARGET });
    expect((await trail(id)).slice(-4)).toEqual([
      'step-started:verify',
      'confirming',
      'step-succeeded:verify',
      'succeeded',
    ]);
  });

  it('fails a server whose agent never reports the build, after stepTimeoutSeconds.other, and never deadlocks', async () => {
    const hand = await handAgent();
    hand.script = withVerify(async (turn) => hand.sendAll([ack(turn.command.commandId), turn.result]));
    const id = await createRollout(server, {
      approvalRequired: false,
      stepTimeoutSeconds: { install: 60, other: 5 },
    });
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    const halted = await until(server, id, ['halted'], 20_000);
    expect(halted.waves[2]?.servers[0]).toMatchObject({
      state: 'failed',
      error: { code: 'BUILD_UNCONFIRMED', message: expect.stringContaining('within 5 s') },
    });
  });

  it('rolls back only to a build the agent reports: its inventory after the uninstall still shows RU6', async () => {
    const hand = await handAgent();
    const id = await createRollout(server, { approvalRequired: false });
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    await until(server, id, ['completed']);
    hand.script = async (turn) => {
      const { step, commandId } = turn.command;
      if (step === 'uninstall') return hand.sendAll([ack(commandId), result(turn, { build: FROM })]);
      if (step === 'verify')
        return hand.sendAll([ack(commandId), hand.inventory(TARGET), result(turn, { build: FROM })]);
      return plainly(turn);
    };
    const child = String(
      (await api(server, 'POST', `/api/v1/rollouts/${id}/rollback`, server.admin, { reason: 'test' })).body
        .rollbackId,
    );
    const failed = await until(server, child, ['halted']);
    expect(failed.waves[0]?.servers[0]).toMatchObject({
      state: 'failed',
      step: 'verify',
      error: { code: 'BUILD_MISMATCH', message: expect.stringContaining(`reports ${TARGET}, not ${FROM}`) },
    });
    expect((await serverRun(id))?.state).toBe('succeeded');
  });

  it('fails a step at once, with the validation error, when the server refuses its result', async () => {
    const hand = await handAgent();
    hand.script = async (turn) => {
      if (turn.command.step !== 'install') return plainly(turn);
      // Journaled as sent: the agent would answer every redelivery of the command with it.
      const bad = result(turn, { build: TARGET, shoeSize: 42 } as StepDetails);
      hand.sendAll([ack(turn.command.commandId), bad]);
    };
    const id = await createRollout(server, { approvalRequired: false });
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    const halted = await until(server, id, ['halted']);
    expect(halted.waves[2]?.servers[0]).toMatchObject({
      state: 'failed',
      step: 'install',
      error: {
        code: 'RESULT_REFUSED',
        message: expect.stringMatching(/^the server refused the agent's result: STEP_RESULT .*shoeSize/),
      },
    });
    const refusal = await hand.error();
    expect(refusal.payload).toMatchObject({
      code: 'PROTOCOL_INVALID_MESSAGE',
      inReplyTo: `${id}:HUB1:1:install:1`,
    });
    expect(halted.failures).toEqual([expect.objectContaining({ code: 'RESULT_REFUSED', servers: ['HUB1'] })]);
  });
});
