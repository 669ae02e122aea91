import type { StepDetails } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { createInstantClock, type SimulatedClock } from '../drivers/simulated/clock.js';
import { SimulatedDriver } from '../drivers/simulated/driver.js';
import type { SimulatedBehaviour } from '../drivers/simulated/schema.js';
import {
  casOnRu4,
  INSTALL_ARGS,
  PACKAGE,
  precheckArgs,
  RU4,
  RU6,
} from '../drivers/simulated/test-fixtures.js';
import type { HostDriver } from '../drivers/types.js';
import { DriverError } from '../errors.js';
import { StepExecutor } from './executor.js';
import type { CommandJournal } from './journal.js';
import { MemoryJournal } from './memory-journal.js';
import {
  command,
  countInstalls,
  createGatedClock,
  RecordingChannel,
  recordingLogger,
  until,
} from './test-support.js';

const INSTALL_ID = 'r-abc123:SEA-CAS01:4:install:1';

function setUp(
  behaviour: SimulatedBehaviour = {},
  options: { clock?: SimulatedClock; journal?: CommandJournal; driver?: HostDriver } = {},
) {
  const simulated = new SimulatedDriver(casOnRu4(behaviour), {
    clock: options.clock ?? createInstantClock(),
  });
  const driver = options.driver ?? simulated;
  const journal = options.journal ?? new MemoryJournal();
  const logger = recordingLogger();
  const executor = new StepExecutor({ driver, journal, logger, now: () => Date.UTC(2009, 1, 10, 12) });
  const channel = new RecordingChannel();
  return { simulated, journal, logger, executor, channel, installs: countInstalls(simulated, RU6) };
}

describe('StepExecutor: running a command', () => {
  it('acknowledges, reports progress, journals the result, then sends it', async () => {
    const { executor, channel, journal, installs } = setUp();
    executor.onCommand(command(INSTALL_ID, 'install', INSTALL_ARGS), channel);
    await executor.idle();

    expect(channel.types()).toEqual([
      'COMMAND_ACK',
      ...Array<string>(5).fill('STEP_PROGRESS'),
      'STEP_RESULT',
    ]);
    expect(channel.of('STEP_PROGRESS').map((message) => message.payload.percent)).toEqual([
      0, 25, 50, 75, 100,
    ]);
    expect(channel.of('STEP_RESULT')[0]?.payload).toEqual({
      commandId: INSTALL_ID,
      step: 'install',
      outcome: 'succeeded',
      details: { build: RU6, logPath: 'C:\\ExchangeSetupLogs\\KB959241.log', rebootRequired: false },
      finishedAt: '2009-02-10T12:00:00.000Z',
    });
    expect(await journal.get(INSTALL_ID)).toMatchObject({
      state: 'done',
      sent: true,
      attempts: 1,
      rolloutId: 'r-test',
      result: { outcome: 'succeeded' },
    });
    expect(installs()).toBe(1);
    expect(executor.runningCommandId()).toBeUndefined();
  });

  it('asks for a fresh inventory before the result of a step that changes the host, not of one that reads', async () => {
    const { executor, channel } = setUp();
    executor.onCommand(command('c-precheck', 'precheck', precheckArgs()), channel);
    await executor.idle();
    expect(channel.refreshes).toEqual([]);
    executor.onCommand(command(INSTALL_ID, 'install', INSTALL_ARGS), channel);
    await executor.idle();
    expect(channel.refreshes).toEqual([channel.sent.length - 1]);
    expect(channel.sent.at(-1)?.type).toBe('STEP_RESULT');
  });

  it('reports a step failure with its code, message and details', async () => {
    const { executor, channel } = setUp({ installFails: 'msi-return-value-3' });
    executor.onCommand(command(INSTALL_ID, 'install', INSTALL_ARGS), channel);
    await executor.idle();

    expect(channel.of('STEP_RESULT')[0]?.payload).toMatchObject({
      outcome: 'failed',
      error: { code: 'INSTALL_FAILED', message: expect.stringContaining('Return Value 3') },
      details: { build: RU4 },
    });
  });

  it('refuses invalid arguments with INVALID_ARGUMENTS naming the field, and runs nothing', async () => {
    const { executor, channel, journal, simulated } = setUp();
    const args = { ...INSTALL_ARGS, package: { ...PACKAGE, sha256: 'not-a-hash' } };
    executor.onCommand(command(INSTALL_ID, 'install', args), channel);
    executor.onCommand(command('c-2', 'precheck', { ...precheckArgs(), extra: true }), channel);
    await executor.idle();

    expect(channel.types()).toEqual(['STEP_RESULT', 'STEP_RESULT']);
    const [install, precheck] = channel.of('STEP_RESULT').map((message) => message.payload);
    expect(install).toMatchObject({ outcome: 'failed', error: { code: 'INVALID_ARGUMENTS' }, details: {} });
    expect(install?.error?.message).toContain('package.sha256');
    expect(precheck?.error?.message).toContain('extra');
    expect(await journal.get(INSTALL_ID)).toBeUndefined();
    expect(simulated.state().server.build).toBe(RU4);
  });

  it('answers AGENT_BUSY to another command while one runs, and the running one finishes undisturbed', async () => {
    const clock = createGatedClock();
    const { executor, channel, journal } = setUp({}, { clock });
    executor.onCommand(command(INSTALL_ID, 'install', INSTALL_ARGS), channel);
    await until(() => clock.waiting === 1);
    executor.onCommand(command('c-verify', 'verify', { targetBuild: RU6, remedyKb944752: false }), channel);
    await until(() => channel.of('STEP_RESULT').length === 1);

    expect(channel.of('STEP_RESULT')[0]?.payload).toMatchObject({
      commandId: 'c-verify',
      outcome: 'failed',
      error: { code: 'AGENT_BUSY', message: expect.stringContaining(INSTALL_ID) },
    });
    expect(executor.runningCommandId()).toBe(INSTALL_ID);
    expect(await journal.get('c-verify')).toBeUndefined();
    while (executor.runningCommandId()) {
      clock.release();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await executor.idle();
    expect(channel.of('STEP_RESULT')[1]?.payload).toMatchObject({
      commandId: INSTALL_ID,
      outcome: 'succeeded',
    });
  });

  it('cancels the running command: the driver fails it with STEP_CANCELLED, reported as a result', async () => {
    const clock = createGatedClock();
    const { executor, channel, journal, logger, simulated } = setUp({}, { clock });
    executor.onCommand(command(INSTALL_ID, 'install', INSTALL_ARGS), channel);
    await until(() => clock.waiting === 1);
    executor.onCancel({ commandId: 'not-running', reason: 'operator abort' }, channel);
    executor.onCancel({ commandId: INSTALL_ID, reason: 'operator abort' }, channel);
    await executor.idle();

    expect(channel.of('STEP_RESULT')).toHaveLength(1);
    expect(channel.of('STEP_RESULT')[0]?.payload).toMatchObject({
      commandId: INSTALL_ID,
      outcome: 'failed',
      error: { code: 'STEP_CANCELLED' },
    });
    expect(await journal.get(INSTALL_ID)).toMatchObject({ state: 'done', result: { outcome: 'failed' } });
    expect(simulated.state().server.build).toBe(RU4);
    expect(logger.lines.map((line) => line.message)).toContain('cancel for a command not running; ignored');

    executor.onCancel({ commandId: INSTALL_ID, reason: 'again' }, channel);
    await executor.idle();
    expect(channel.of('STEP_RESULT')).toHaveLength(1);
  });

  it('names the running command for HEARTBEAT while its step runs', async () => {
    const clock = createGatedClock();
    const { executor, channel } = setUp({}, { clock });
    expect(executor.runningCommandId()).toBeUndefined();
    executor.onCommand(command(INSTALL_ID, 'install', INSTALL_ARGS), channel);
    await until(() => clock.waiting === 1);
    expect(executor.runningCommandId()).toBe(INSTALL_ID);
    await executor.cancelRunning('test over');
    expect(executor.runningCommandId()).toBeUndefined();
  });

  it('drains the journal writes in hand without waiting for the running step', async () => {
    const clock = createGatedClock();
    const { executor, channel, journal } = setUp({}, { clock });
    executor.onCommand(command(INSTALL_ID, 'install', INSTALL_ARGS), channel);
    await executor.drain();
    expect(await journal.get(INSTALL_ID)).toMatchObject({ state: 'started' });
    expect(channel.types()).toContain('COMMAND_ACK');
    expect(executor.runningCommandId()).toBe(INSTALL_ID);
    await executor.cancelRunning('test over');
  });

  it('reports a DriverError by its code and anything else as AGENT_ERROR', async () => {
    const throwing = (error: unknown): HostDriver => ({
      kind: 'simulated',
      collect: () => Promise.reject(new Error('unused')),
      runStep: () => Promise.reject(error),
    });
    const timeout = setUp({}, { driver: throwing(new DriverError('AGENT_ERR_DRIVER_TIMEOUT', 'too slow')) });
    timeout.executor.onCommand(command('c-1', 'install', INSTALL_ARGS), timeout.channel);
    const bug = setUp({}, { driver: throwing(new TypeError('x is undefined')) });
    bug.executor.onCommand(command('c-1', 'install', INSTALL_ARGS), bug.channel);
    await Promise.all([timeout.executor.idle(), bug.executor.idle()]);

    expect(timeout.channel.of('STEP_RESULT')[0]?.payload.error).toEqual({
      code: 'AGENT_ERR_DRIVER_TIMEOUT',
      message: 'too slow',
    });
    expect(bug.channel.of('STEP_RESULT')[0]?.payload.error).toEqual({
      code: 'AGENT_ERROR',
      message: 'unexpected error: x is undefined',
    });
  });

  it('turns details the protocol would refuse into AGENT_ERROR', async () => {
    const driver: HostDriver = {
      kind: 'simulated',
      collect: () => Promise.reject(new Error('unused')),
      runStep: async () => ({ build: 'eight' }) as StepDetails,
    };
    const { executor, channel } = setUp({}, { driver });
    executor.onCommand(command('c-1', 'install', INSTALL_ARGS), channel);
    await executor.idle();
    expect(channel.of('STEP_RESULT')[0]?.payload).toMatchObject({
      outcome: 'failed',
      error: { code: 'AGENT_ERROR', message: expect.stringContaining('build') },
    });
  });

  it('runs nothing when the journal cannot record the command', async () => {
    const journal: CommandJournal = {
      get: async () => undefined,
      put: () => Promise.reject(new Error('disk full')),
      unsent: async () => [],
    };
    const { executor, channel, installs } = setUp({}, { journal });
    executor.onCommand(command(INSTALL_ID, 'install', INSTALL_ARGS), channel);
    await executor.idle();
    expect(channel.types()).toEqual(['STEP_RESULT']);
    expect(channel.of('STEP_RESULT')[0]?.payload.error).toEqual({
      code: 'AGENT_ERROR',
      message: 'the journal cannot be written, so nothing ran: disk full',
    });
    expect(installs()).toBe(0);
  });
});
