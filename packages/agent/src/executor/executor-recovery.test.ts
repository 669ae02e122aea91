import { describe, expect, it } from 'vitest';
import { silentLogger } from '../client/logger.js';
import { createInstantClock, type SimulatedClock } from '../drivers/simulated/clock.js';
import { SimulatedDriver } from '../drivers/simulated/driver.js';
import type { SimulatedBehaviour } from '../drivers/simulated/schema.js';
import { casOnRu4, INSTALL_ARGS, RU4, RU6, recordingContext } from '../drivers/simulated/test-fixtures.js';
import { StepExecutor } from './executor.js';
import { type CommandJournal, JOURNAL_VERSION, type StartedEntry } from './journal.js';
import { MemoryJournal } from './memory-journal.js';
import { command, countInstalls, createGatedClock, RecordingChannel, until } from './test-support.js';

const INSTALL_ID = 'r-abc123:SEA-CAS01:4:install:1';
const INSTALL = command(INSTALL_ID, 'install', INSTALL_ARGS);

function host(behaviour: SimulatedBehaviour = {}, clock: SimulatedClock = createInstantClock()) {
  const driver = new SimulatedDriver(casOnRu4(behaviour), { clock });
  return { driver, installs: countInstalls(driver, RU6) };
}

function executorFor(driver: SimulatedDriver, journal: CommandJournal) {
  return new StepExecutor({ driver, journal, logger: silentLogger });
}

const startedEntry: StartedEntry = {
  version: JOURNAL_VERSION,
  commandId: INSTALL_ID,
  rolloutId: 'r-test',
  step: 'install',
  state: 'started',
  attempts: 1,
  startedAt: '2009-02-10T12:00:00.000Z',
  updatedAt: '2009-02-10T12:00:00.000Z',
};

describe('StepExecutor: repeats, restarts and lost connections', () => {
  it('answers a repeated finished command with the journaled result, and installs once', async () => {
    const { driver, installs } = host();
    const journal = new MemoryJournal();
    const executor = executorFor(driver, journal);
    const channel = new RecordingChannel();
    executor.onCommand(INSTALL, channel);
    await executor.idle();
    const first = channel.of('STEP_RESULT')[0];
    executor.onCommand(INSTALL, channel);
    await executor.idle();
    // A restarted agent (a new executor on the same journal) answers the same way.
    const restarted = executorFor(driver, journal);
    const later = new RecordingChannel();
    restarted.onCommand(INSTALL, later);
    await restarted.idle();

    expect(channel.types().filter((type) => type !== 'STEP_PROGRESS')).toEqual([
      'COMMAND_ACK',
      'STEP_RESULT',
      'STEP_RESULT',
    ]);
    expect(channel.of('STEP_RESULT')[1]).toEqual(first);
    expect(later.sent).toEqual([first]);
    expect(installs()).toBe(1);
    expect(driver.state().server.build).toBe(RU6);
  });

  it('runs a command again when the journal says started but nothing runs it (the agent restarted)', async () => {
    const { driver, installs } = host();
    const journal = new MemoryJournal();
    await journal.put(startedEntry);
    const executor = executorFor(driver, journal);
    const channel = new RecordingChannel();
    executor.onCommand(INSTALL, channel);
    await executor.idle();

    expect(channel.types()[0]).toBe('COMMAND_ACK');
    expect(channel.of('STEP_RESULT')[0]?.payload).toMatchObject({
      outcome: 'succeeded',
      details: { build: RU6 },
    });
    expect(await journal.get(INSTALL_ID)).toMatchObject({
      state: 'done',
      attempts: 2,
      startedAt: startedEntry.startedAt,
      sent: true,
    });
    expect(installs()).toBe(1);
  });

  it('runs it again as a no-op when the install completed while the agent was down (a reboot)', async () => {
    const { driver, installs } = host();
    // The host finished msiexec on its own; the agent died before it could journal the result.
    await driver.runStep('install', INSTALL_ARGS, recordingContext(INSTALL_ID));
    const journal = new MemoryJournal();
    await journal.put(startedEntry);
    const executor = executorFor(driver, journal);
    const channel = new RecordingChannel();
    executor.onCommand(INSTALL, channel);
    await executor.idle();

    expect(channel.of('STEP_PROGRESS').map((message) => message.payload.message)).toEqual([
      'install on SEA-CAS01: started',
      'update 959241 is already installed',
    ]);
    expect(channel.of('STEP_RESULT')[0]?.payload).toMatchObject({
      outcome: 'succeeded',
      details: { build: RU6 },
    });
    expect(installs()).toBe(1);
  });

  it('keeps a result finished while disconnected and sends it after the next WELCOME', async () => {
    const clock = createGatedClock();
    const { driver, installs } = host({}, clock);
    const journal = new MemoryJournal();
    const executor = executorFor(driver, journal);
    const before = new RecordingChannel();
    executor.onCommand(INSTALL, before);
    await until(() => clock.waiting === 1);
    before.connected = false;
    // The server repeats the command on a new connection while the step still runs: acknowledged only.
    const during = new RecordingChannel();
    executor.onReady(during);
    executor.onCommand(INSTALL, during);
    await until(() => during.sent.length > 0);
    during.connected = false;
    while (executor.runningCommandId()) {
      clock.release();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await executor.idle();

    expect(during.types()).toEqual(['COMMAND_ACK']);
    expect(await journal.unsent()).toHaveLength(1);
    const after = new RecordingChannel();
    executor.onReady(after);
    await executor.idle();
    expect(after.types()).toEqual(['STEP_RESULT']);
    expect(after.of('STEP_RESULT')[0]?.payload).toMatchObject({
      commandId: INSTALL_ID,
      outcome: 'succeeded',
    });
    expect(await journal.unsent()).toEqual([]);
    executor.onReady(new RecordingChannel());
    await executor.idle();
    expect(after.sent).toHaveLength(1);
    expect(installs()).toBe(1);
  });

  it('lives through the simulated host dropping the connection mid-install', async () => {
    const { driver, installs } = host({ disconnectDuringInstall: true });
    const executor = executorFor(driver, new MemoryJournal());
    const first = new RecordingChannel();
    driver.events.on('disconnect', () => {
      first.connected = false;
    });
    executor.onCommand(INSTALL, first);
    await executor.idle();
    expect(first.of('STEP_PROGRESS').map((message) => message.payload.percent)).toEqual([0, 25, 50]);
    expect(first.of('STEP_RESULT')).toEqual([]);

    const second = new RecordingChannel();
    executor.onReady(second);
    await executor.idle();
    expect(second.of('STEP_RESULT')[0]?.payload).toMatchObject({
      outcome: 'succeeded',
      details: { build: RU6 },
    });
    expect(installs()).toBe(1);
    expect(driver.state().server.build).not.toBe(RU4);
  });
});
