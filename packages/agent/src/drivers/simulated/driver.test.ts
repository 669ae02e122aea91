import { StepDetails } from '@exrollout/core';
import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { DriverError } from '../../errors.js';
import { isStepErrorCode } from '../step-errors.js';
import type { SimulatedState } from './state.js';
import {
  casOnRu4,
  failure,
  INSTALL_ARGS,
  precheckArgs,
  RU4,
  RU6,
  recordingContext,
  run,
  simulate,
} from './test-fixtures.js';

describe('SimulatedDriver: a CAS on SP1 RU4 takes Update Rollup 6', () => {
  it('goes to 8.1.340.1 through precheck, backup-owa, install, verify and restore-owa', async () => {
    const { driver } = simulate(casOnRu4());
    const results = [
      await run(driver, 'precheck', precheckArgs()),
      await run(driver, 'backup-owa', {}),
      await run(driver, 'install', INSTALL_ARGS),
      await run(driver, 'verify', { targetBuild: RU6, remedyKb944752: false }),
      await run(driver, 'restore-owa', {}),
    ];
    expect(results).toEqual([
      { build: RU4, rebootRequired: false },
      { build: RU4, backupPath: 'C:\\exrollout\\backup\\owa\\rollout-1_SEA-CAS01_backup-owa', owaFiles: 2 },
      { build: RU6, logPath: 'C:\\ExchangeSetupLogs\\KB959241.log', rebootRequired: false },
      { build: RU6 },
      {
        build: RU6,
        backupPath: 'C:\\exrollout\\backup\\owa\\rollout-1_SEA-CAS01_backup-owa',
        owaFiles: 2,
      },
    ]);
    for (const details of results) expect(Value.Check(StepDetails, details)).toBe(true);
    const { server } = await driver.collect();
    expect(server).toMatchObject({ build: RU6, owaCustomized: true });
    expect(driver.state().installedUpdates).toEqual([
      { kb: '959241', build: RU6, previousBuild: RU4, owaCustomizedBefore: true },
    ]);
  });

  it('overwrites the OWA customisations on install, which restore-owa puts back (reference part 6)', async () => {
    const { driver } = simulate(casOnRu4());
    await run(driver, 'backup-owa', {});
    await run(driver, 'install', INSTALL_ARGS);
    expect(driver.state().server.owaCustomized).toBe(false);
    await run(driver, 'restore-owa', {});
    expect(driver.state().server.owaCustomized).toBe(true);
  });

  it('reports progress at the start of every step and at 25, 50, 75 and 100 percent of the install', async () => {
    const { driver, clock } = simulate(casOnRu4());
    const context = recordingContext();
    await driver.runStep('install', INSTALL_ARGS, context);
    expect(context.reported.map((report) => report.percent)).toEqual([0, 25, 50, 75, 100]);
    expect(context.reported[0]?.message).toBe('install on SEA-CAS01: started');
    expect(clock.elapsedMs).toBe(2000);
  });

  it('scales every duration by timeScale', async () => {
    const { driver, clock } = simulate(casOnRu4({ installSeconds: 60, stepSeconds: 1, timeScale: 0.5 }));
    await run(driver, 'precheck', precheckArgs());
    await run(driver, 'install', INSTALL_ARGS);
    expect(clock.elapsedMs).toBe(500 + 30_000);
  });

  it('tells its listeners after each change, with a frozen snapshot', async () => {
    const { driver } = simulate(casOnRu4());
    const seen: SimulatedState[] = [];
    const stop = driver.onChange((state) => seen.push(state));
    await run(driver, 'precheck', precheckArgs());
    expect(seen).toHaveLength(0);
    await run(driver, 'install', INSTALL_ARGS);
    expect(seen.map((state) => state.server.build)).toEqual([RU6]);
    expect(Object.isFrozen(seen[0]?.server)).toBe(true);
    stop();
    await run(driver, 'backup-owa', {});
    expect(seen).toHaveLength(1);
  });

  it('returns deep copies from collect() and state(): changing them changes nothing', async () => {
    const { driver } = simulate(casOnRu4());
    const snapshot = await driver.collect();
    snapshot.server.roles.push('Mailbox');
    driver.state().server.roles.push('Edge');
    expect((await driver.collect()).server.roles).toEqual(['ClientAccess']);
    expect(snapshot.host).toEqual({
      architecture: 'x64',
      os: 'Windows Server 2003 R2 x64',
      pendingReboot: false,
      systemDriveFreeMb: 20_480,
      elevated: true,
      dotNet20Sp1: true,
    });
  });

  it('runs one step at a time, as one host does', async () => {
    const { driver } = simulate(casOnRu4());
    const first = run(driver, 'install', INSTALL_ARGS);
    const second = await run(driver, 'verify', { targetBuild: RU6, remedyKb944752: false }).catch((e) => e);
    expect(second).toBeInstanceOf(DriverError);
    expect(second).toMatchObject({ code: 'AGENT_ERR_DRIVER_BUSY' });
    await expect(first).resolves.toMatchObject({ build: RU6 });
  });
});

describe('SimulatedDriver: failStep', () => {
  it('fails the named step with the given code and message, and every other step runs', async () => {
    const failStep = { step: 'backup-owa', code: 'OWA_BACKUP_FAILED', message: 'disk full' } as const;
    const { driver } = simulate(casOnRu4({ failStep }));
    await run(driver, 'precheck', precheckArgs());
    const error = await failure(run(driver, 'backup-owa', {}));
    expect(error).toMatchObject({ code: 'OWA_BACKUP_FAILED', message: 'disk full', details: { build: RU4 } });
    expect(driver.state().owaBackup).toBeUndefined();
  });

  it('fails only the first `times` runs, so a retry succeeds', async () => {
    const failStep = { step: 'install', code: 'INSTALL_FAILED', message: 'msiexec 1603', times: 1 } as const;
    const { driver } = simulate(casOnRu4({ failStep }));
    expect((await failure(run(driver, 'install', INSTALL_ARGS))).code).toBe('INSTALL_FAILED');
    expect(driver.state().server.build).toBe(RU4);
    await expect(run(driver, 'install', INSTALL_ARGS)).resolves.toMatchObject({ build: RU6 });
  });

  it('uses only the shared step error codes', async () => {
    const { driver } = simulate(casOnRu4({ pendingReboot: true }));
    const error = await failure(run(driver, 'precheck', precheckArgs()));
    expect(isStepErrorCode(error.code)).toBe(true);
    expect(isStepErrorCode('NOT_A_CODE')).toBe(false);
  });
});
