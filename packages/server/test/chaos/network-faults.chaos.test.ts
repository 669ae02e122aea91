import type { InventoryServer } from '@exrollout/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRollout, events, rollout } from '../fleet-helpers.js';
import { api, eventually, startTestServer, type TestServer } from '../helpers.js';
import { forgedResult, HandAgent, plainly, type Turn } from './hand-agent.js';
import { buildsReported, expectCompletedOnce, FaultTally, TARGET_BUILD } from './invariants.js';

// Duplicated, reordered, late and forged agent messages inside running rollouts, and agents whose clocks are an
// hour off: the rollout ends exactly as it would have without the fault. Agents are spoken by hand (HandAgent).
const FROM_BUILD = '8.1.311.3';
const HOUR = 3_600_000;
const tally = new FaultTally('network-faults');
let server: TestServer;
const agents: HandAgent[] = [];
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const agent of agents.splice(0)) agent.stop();
  await server.close();
});
afterAll(() => console.log(tally.line()));

const hub = (name: string): InventoryServer => ({
  name,
  site: 'HQ',
  build: FROM_BUILD,
  roles: ['HubTransport'],
});

async function handAgents(names: readonly string[], skewMs = 0): Promise<HandAgent[]> {
  const started = await Promise.all(names.map((name) => HandAgent.start(server, hub(name), skewMs)));
  agents.push(...started);
  await eventually(async () => (await server.inventory.list()).length === agents.length, 5000, 'reported');
  return started;
}

/** Creates a rollout of every agent, lets `prepare` set scripts that need its id, then starts it. */
async function startRollout(concurrency: number, prepare?: (id: string) => Promise<void>): Promise<string> {
  const id = await createRollout(server, { concurrency, approvalRequired: false });
  await prepare?.(id);
  await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
  return id;
}

async function runOf(id: string, name: string) {
  const run = (await rollout(server, id)).waves.flatMap((wave) => wave.servers).find((s) => s.name === name);
  if (!run) throw new Error(`${name} is not in rollout ${id}`);
  return run;
}

/** The rollout completed exactly as without faults: whole trails, one build change per host, no ERROR but `errors`. */
async function expectAsWithoutFaults(id: string, errors = 0): Promise<void> {
  await expectCompletedOnce(server, id, { timeoutMs: 30_000 });
  for (const agent of agents) {
    expect(agent.build).toBe(TARGET_BUILD);
    expect(await buildsReported(server, agent.report.name), agent.report.name).toEqual([
      FROM_BUILD,
      TARGET_BUILD,
    ]);
  }
  const unexpected = agents.flatMap((agent) =>
    agent.raw.messages.filter((message) => message.type === 'ERROR'),
  );
  expect(unexpected).toEqual([]);
  expect(agents.reduce((sum, agent) => sum + agent.errors.length, 0)).toBe(errors);
  tally.add('rollouts completed as without faults');
  tally.add('servers verified', agents.length);
}

/** The id the server gives step `index` of `name` (deterministic: rollout, server, step index, step, attempt). */
const commandIdOf = (id: string, name: string, index: number, step: string, attempt = 1) =>
  `${id}:${name}:${index}:${step}:${attempt}`;

describe('network faults: no message changes state wrongly', () => {
  it('every message sent twice, and every earlier result again with each new command', async () => {
    const [twice] = await handAgents(['HUB01', 'HUB02']);
    if (!twice) throw new Error('no agent');
    twice.script = async ({ agent, replies }: Turn) => {
      const earlier = [...agent.journal.values()];
      agent.sendAll(earlier);
      for (const message of replies) agent.sendAll([message, message]);
      tally.add('messages duplicated', replies.length + earlier.length);
    };
    const id = await startRollout(2);
    await expectAsWithoutFaults(id);
  });

  it("results out of order: a later step's result first, progress and inventory after the result", async () => {
    const [reordered] = await handAgents(['HUB01', 'HUB02']);
    if (!reordered) throw new Error('no agent');
    let [id, steps] = ['', [] as string[]];
    reordered.script = async ({ agent, command, replies, result }: Turn) => {
      // The restart nobody asked for is passed over: the next command after install is verify's.
      const sent = steps.filter((step) => step !== 'restart');
      const later = sent[sent.indexOf(command.step) + 1];
      if (later) {
        const index = steps.indexOf(later);
        agent.forge(forgedResult(commandIdOf(id, 'HUB01', index, later), later as never, agent.now()));
        expect((await agent.error()).payload.code).toBe('COMMAND_UNKNOWN');
      }
      // ACK first, as an agent must; everything after it arrives in the reverse order.
      const [first, ...rest] = replies;
      agent.sendAll([first as never, result, ...rest.filter((reply) => reply !== result).reverse()]);
      tally.add('messages reordered', replies.length - 1 + (later ? 1 : 0));
    };
    id = await startRollout(2, async (created) => {
      [id, steps] = [created, (await runOf(created, 'HUB01')).steps];
    });
    await expectAsWithoutFaults(id, steps.filter((step) => step !== 'restart').length - 1);
  });

  it('results delivered after a reconnect: the current one once, old ones ignored, late frames on the old socket', async () => {
    const [flaky] = await handAgents(['HUB01', 'HUB02']);
    if (!flaky) throw new Error('no agent');
    const id = await startRollout(2);
    const acked = (step: string) => async () => {
      const run = await runOf(id, 'HUB01');
      return run.step === step && run.progress !== undefined;
    };
    flaky.script = async (turn: Turn) => {
      const { agent, command, replies, result } = turn;
      if (command.step === 'precheck') return plainly(turn);
      const [ackMessage, progressMessage] = replies;
      agent.sendAll([ackMessage as never, progressMessage as never]);
      await eventually(acked(command.step), 5000, `${command.step} acknowledged`);
      if (command.step === 'install') {
        // Cut mid-install; the result goes on the new connection, after the old results are replayed.
        await agent.reconnect({ drop: true });
        agent.sendAll([...agent.journal.values(), result]);
        tally.add('connections cut before a result');
        tally.add('results replayed after a reconnect', agent.journal.size);
        return;
      }
      // A second connection opens while the first still carries the result: it reaches the server late.
      await agent.reconnect({ beforeHello: () => agent.sendAll([...agent.journal.values(), result]) });
      tally.add('results late on a superseded connection', agent.journal.size);
    };
    await expectAsWithoutFaults(id);
  });

  it('agents whose clocks are an hour ahead and an hour behind', async () => {
    const before = Date.now();
    await handAgents(['HUB01'], HOUR);
    await handAgents(['HUB02'], -HOUR);
    await handAgents(['HUB03']);
    tally.add('agents with a clock an hour off', 2);
    const id = await startRollout(3);
    await expectAsWithoutFaults(id);
    // The audit trail and liveness are on the server's clock, whatever the agents' timestamps say.
    for (const event of await events(server, id))
      expect(Date.parse(event.at)).toSatisfy((at: number) => at >= before - 1000 && at <= Date.now() + 1000);
    for (const name of ['HUB01', 'HUB02']) {
      const record = await server.inventory.get(name);
      expect(record?.online, name).toBe(true);
      expect(Math.abs(Date.parse(record?.lastSeen ?? '') - Date.now()), name).toBeLessThan(5000);
    }
  });

  it('an ACK lost on the way: the result alone still leaves a whole audit trail', async () => {
    const [agent] = await handAgents(['HUB01']);
    if (!agent) throw new Error('no agent');
    // An agent answering a repeated command from its journal sends the result without an ACK.
    agent.script = async (turn: Turn) => {
      if (turn.command.step !== 'install') return plainly(turn);
      turn.agent.sendAll(turn.replies.slice(1));
      tally.add('ACKs dropped');
    };
    await expectAsWithoutFaults(await startRollout(1));
  });

  it('results for commands the server never sent, inside a running rollout, are refused and change nothing', async () => {
    const [forger, victim] = await handAgents(['HUB01', 'HUB02']);
    if (!forger || !victim) throw new Error('no agents');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    victim.script = async (turn: Turn) => {
      if (turn.command.step !== 'install') return plainly(turn);
      turn.agent.sendAll(turn.replies.slice(0, 2));
      await held;
      turn.agent.sendAll(turn.replies.slice(2));
    };
    forger.script = async (turn: Turn) => {
      if (turn.command.step === 'install') await held;
      return plainly(turn);
    };
    const id = await startRollout(2);
    const installing = async (name: string) => (await runOf(id, name)).step === 'install';
    await eventually(
      async () => (await installing('HUB02')) && (await runOf(id, 'HUB02')).progress !== undefined,
      10_000,
      'HUB02 installing',
    );
    await eventually(() => installing('HUB01'), 10_000, 'HUB01 installing');
    const victimBefore = await runOf(id, 'HUB02');
    const installOf = (name: string, attempt = 1) => commandIdOf(id, name, 1, 'install', attempt);
    const forgeries = [
      forgedResult(installOf('HUB02'), 'install', forger.now()),
      forgedResult(installOf('HUB01', 2), 'install', forger.now()),
      forgedResult(`r-0000000000:HUB01:1:install:1`, 'install', forger.now()),
      { version: 1, type: 'COMMAND_ACK', payload: { commandId: installOf('HUB02') } } as const,
      {
        version: 1,
        type: 'STEP_PROGRESS',
        payload: { commandId: installOf('HUB02'), step: 'install', percent: 99, message: 'forged' },
      } as const,
    ];
    for (const forgery of forgeries) {
      forger.forge(forgery);
      expect((await forger.error()).payload.code).toBe('COMMAND_UNKNOWN');
    }
    // Another server's finished command: already done, so it is dropped without an error.
    forger.forge(forgedResult(commandIdOf(id, 'HUB02', 0, 'precheck'), 'precheck', forger.now()));
    tally.add('results and acks for commands never sent', forgeries.length + 1);
    const [victimAfter, forgerAfter] = [await runOf(id, 'HUB02'), await runOf(id, 'HUB01')];
    expect(victimAfter).toEqual(victimBefore);
    expect(forgerAfter).toMatchObject({ state: 'running', step: 'install' });
    expect((await events(server, id)).filter((event) => event.type === 'server.step-succeeded')).toHaveLength(
      2,
    );
    release();
    await expectAsWithoutFaults(id, forgeries.length);
  });
});
