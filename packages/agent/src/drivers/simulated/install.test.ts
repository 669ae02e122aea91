import { describe, expect, it } from 'vitest';
import type { HostInterruption } from './events.js';
import type { SimulatedState } from './state.js';
import {
  casOnRu4,
  ccrNode,
  failure,
  INSTALL_ARGS,
  precheckArgs,
  RU4,
  RU6,
  recordingContext,
  run,
  simulate,
} from './test-fixtures.js';

const VERIFY = { targetBuild: RU6, remedyKb944752: false };

describe('install and verify: KB 944752, services that do not start after the rollup', () => {
  it('fails verify with SERVICES_NOT_STARTED, naming the stopped services, when no remedy is allowed', async () => {
    const { driver } = simulate(casOnRu4({ servicesFailToStart: true }));
    await run(driver, 'install', INSTALL_ARGS);
    const error = await failure(run(driver, 'verify', VERIFY));
    expect(error.code).toBe('SERVICES_NOT_STARTED');
    expect(error.details).toEqual({
      build: RU6,
      servicesStopped: ['MSExchangeServiceHost', 'MSExchangeFDS'],
    });
    expect(error.message).toContain('KB 944752');
    expect(driver.state().servicesStopped).toEqual(['MSExchangeServiceHost', 'MSExchangeFDS']);
  });

  it('applies the remedy (generatePublisherEvidence) and starts the services when remedyKb944752 is set', async () => {
    const { driver } = simulate(ccrNode('SEA-MBX02', 'passive', { servicesFailToStart: true }));
    await run(driver, 'install', INSTALL_ARGS);
    await failure(run(driver, 'verify', VERIFY));
    const context = recordingContext();
    await expect(driver.runStep('verify', { ...VERIFY, remedyKb944752: true }, context)).resolves.toEqual({
      build: RU6,
      servicesStarted: ['MSExchangeServiceHost', 'MSExchangeMailSubmission', 'MSExchangeMailboxAssistants'],
      remedyKb944752Applied: true,
      remedyFiles: ['MSExchangeServiceHost', 'MSExchangeMailSubmission', 'MSExchangeMailboxAssistants'].map(
        (name) => `C:\\Program Files\\Microsoft\\Exchange Server\\Bin\\${name}.exe.config`,
      ),
    });
    expect(context.reported.map((report) => report.message)).toContain(
      'KB 944752: generatePublisherEvidence set to false in the .exe.config of 3 services; starting them',
    );
    expect(driver.state()).toMatchObject({ servicesStopped: [], remedyKb944752Applied: true });
  });

  it('fails verify with BUILD_MISMATCH when the build is not the target', async () => {
    const { driver } = simulate(casOnRu4());
    const error = await failure(run(driver, 'verify', VERIFY));
    expect(error).toMatchObject({
      code: 'BUILD_MISMATCH',
      message: 'SEA-CAS01 runs 8.1.311.3, not 8.1.340.1',
    });
  });
});

describe('install: msiexec failures and interruptions', () => {
  it('fails INSTALL_FAILED quoting "Return Value 3" and the log, and rolls back (build unchanged)', async () => {
    const { driver } = simulate(casOnRu4({ installFails: 'msi-return-value-3' }));
    const context = recordingContext();
    const error = await failure(driver.runStep('install', INSTALL_ARGS, context));
    expect(error.code).toBe('INSTALL_FAILED');
    expect(error.message).toBe(
      'msiexec failed to install Exchange2007-KB959241-x64-EN.msp on SEA-CAS01 (exit code 1603) and rolled it ' +
        'back; search C:\\ExchangeSetupLogs\\KB959241.log for "Return Value 3" to find the action that failed',
    );
    expect(error.details).toEqual({ build: RU4, logPath: 'C:\\ExchangeSetupLogs\\KB959241.log' });
    expect(context.reported.map((report) => report.percent)).toEqual([0, 25, 50]);
    expect(driver.state()).toMatchObject({
      server: { build: RU4, owaCustomized: true },
      installedUpdates: [],
    });
  });

  it('leaves the server as it was when the install is aborted before it completes', async () => {
    const context = recordingContext();
    // The fourth sleep is the install's last quarter: abort during it.
    const { driver } = simulate(casOnRu4(), {
      onSleep: (count) => count === 4 && context.controller.abort(),
    });
    const changes: SimulatedState[] = [];
    driver.onChange((state) => changes.push(state));
    const error = await failure(driver.runStep('install', INSTALL_ARGS, context));
    expect(error).toMatchObject({ code: 'STEP_CANCELLED', details: { build: RU4 } });
    expect(error.message).toBe('install on SEA-CAS01 was cancelled before it changed anything');
    expect(changes).toEqual([]);
    expect(driver.state().server.build).toBe(RU4);
    await expect(run(driver, 'install', INSTALL_ARGS)).resolves.toMatchObject({ build: RU6 });
  });

  it('refuses to start a step whose signal is already aborted', async () => {
    const { driver, clock } = simulate(casOnRu4());
    const context = recordingContext();
    context.controller.abort();
    const error = await failure(driver.runStep('precheck', precheckArgs(), context));
    expect(error.code).toBe('STEP_CANCELLED');
    expect(clock.sleeps).toBe(0);
    expect(context.reported).toEqual([]);
  });

  it('emits disconnect halfway; the install still completes on the host', async () => {
    const { driver } = simulate(casOnRu4({ disconnectDuringInstall: true }));
    const seen: { event: HostInterruption; build: string }[] = [];
    driver.events.on('disconnect', (event) => seen.push({ event, build: driver.state().server.build }));
    await expect(run(driver, 'install', INSTALL_ARGS)).resolves.toMatchObject({ build: RU6 });
    expect(seen).toEqual([
      {
        event: {
          server: 'SEA-CAS01',
          commandId: 'rollout-1:SEA-CAS01:install',
          step: 'install',
          percent: 50,
        },
        build: RU4,
      },
    ]);
  });

  it('emits reboot halfway, once the install is done on the host; the restart clears a pending reboot', async () => {
    const { driver } = simulate(casOnRu4({ rebootDuringInstall: true, pendingReboot: true }));
    const builds: string[] = [];
    const stop = driver.events.on('reboot', () => builds.push(driver.state().server.build));
    const context = recordingContext();
    await expect(driver.runStep('install', INSTALL_ARGS, context)).resolves.toMatchObject({ build: RU6 });
    expect(builds).toEqual([RU6]);
    expect(context.reported.map((report) => report.percent)).toEqual([0, 25, 50, 100]);
    expect(driver.state()).toMatchObject({ reboots: 1, host: { pendingReboot: false } });
    stop();
  });

  it('succeeds without running msiexec again when the rollup is already installed (a replayed command)', async () => {
    const { driver, clock } = simulate(casOnRu4());
    await run(driver, 'install', INSTALL_ARGS);
    const sleeps = clock.sleeps;
    await expect(run(driver, 'install', INSTALL_ARGS)).resolves.toMatchObject({ build: RU6 });
    expect(clock.sleeps).toBe(sleeps);
    expect(driver.state().installedUpdates).toHaveLength(1);
  });

  it('fails INSTALL_FAILED on a server that is not on SP1', async () => {
    const host = casOnRu4();
    host.server.build = '8.0.685.25';
    const { driver } = simulate(host);
    const error = await failure(run(driver, 'install', INSTALL_ARGS));
    expect(error.code).toBe('INSTALL_FAILED');
    expect(error.message).toContain('the upgrade patch may update a different version of the program');
  });
});
