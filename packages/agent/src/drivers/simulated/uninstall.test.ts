import { describe, expect, it } from 'vitest';
import {
  casOnRu4,
  failure,
  INSTALL_ARGS,
  RU4,
  RU6,
  recordingContext,
  run,
  simulate,
  uninstallArgs,
} from './test-fixtures.js';

describe('uninstall: rolling back update 959241', () => {
  it('restores the build the install replaced', async () => {
    const { driver } = simulate(casOnRu4());
    await run(driver, 'install', INSTALL_ARGS);
    const context = recordingContext();
    await expect(driver.runStep('uninstall', uninstallArgs(RU4), context)).resolves.toEqual({
      build: RU4,
      logPath: 'C:\\ExchangeSetupLogs\\KB959241.log',
      rebootRequired: false,
    });
    expect(context.reported.map((report) => report.percent)).toEqual([0, 25, 50, 75, 100]);
    expect(driver.state()).toMatchObject({ server: { build: RU4 }, installedUpdates: [] });
  });

  it('restores expectedBuild on a server that was already on RU6 when the simulation began', async () => {
    const host = casOnRu4();
    host.server.build = RU6;
    const { driver } = simulate(host);
    await expect(run(driver, 'uninstall', uninstallArgs('8.1.336.1'))).resolves.toMatchObject({
      build: '8.1.336.1',
    });
  });

  it('succeeds at once with { build } when run again after it completed (a replayed command)', async () => {
    const { driver, clock } = simulate(casOnRu4());
    await run(driver, 'install', INSTALL_ARGS);
    const context = recordingContext('rollout-1:SEA-CAS01:uninstall');
    await driver.runStep('uninstall', uninstallArgs(RU4), context);
    const before = driver.state();
    const sleeps = clock.sleeps;
    const changes: unknown[] = [];
    driver.onChange((state) => changes.push(state));
    const again = recordingContext('rollout-1:SEA-CAS01:uninstall');
    await expect(driver.runStep('uninstall', uninstallArgs(RU4), again)).resolves.toEqual({ build: RU4 });
    expect(again.reported).toEqual([
      { message: 'uninstall on SEA-CAS01: started', percent: 0 },
      {
        message: 'update 959241 is not installed and SEA-CAS01 already runs 8.1.311.3: nothing to remove',
        percent: 100,
      },
    ]);
    expect(driver.state()).toEqual(before);
    expect(changes).toEqual([]);
    expect(clock.sleeps).toBe(sleeps);
  });

  it('succeeds with nothing to do on a server that never had the update and runs expectedBuild', async () => {
    for (const uninstallBlocked of [undefined, 'patch-not-registered', 'cache-missing'] as const) {
      const { driver } = simulate(casOnRu4(uninstallBlocked ? { uninstallBlocked } : {}));
      await expect(run(driver, 'uninstall', uninstallArgs('08.01.0311.003'))).resolves.toEqual({
        build: RU4,
      });
      expect(driver.state().server.build).toBe(RU4);
    }
  });

  it('fails PATCH_NOT_INSTALLED when the rollup is not installed and the build is not expectedBuild', async () => {
    const { driver } = simulate(casOnRu4());
    const error = await failure(run(driver, 'uninstall', uninstallArgs('8.1.336.1')));
    expect(error.code).toBe('PATCH_NOT_INSTALLED');
    expect(error.message).toBe(
      'update 959241 is not registered as installed for product {24B2C164-DE66-44FE-B468-A46D9D5E6B31} on ' +
        'SEA-CAS01, so msiexec cannot remove it, but the build says otherwise: SEA-CAS01 runs 8.1.311.3, not ' +
        '8.1.336.1 as recorded before the install. Check the file version of <Exchange>\\Bin\\ExSetup.exe and ' +
        'the Patches key of product {24B2C164-DE66-44FE-B468-A46D9D5E6B31} under ' +
        'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Installer\\UserData\\S-1-5-18\\Products to see what ' +
        'is installed, then roll the server back by hand or plan the rollback again',
    );
    expect(error.details).toEqual({ build: RU4 });
    expect(driver.state().server.build).toBe(RU4);
  });

  it('fails PATCH_NOT_INSTALLED when the patch is not registered although the build says RU6', async () => {
    const { driver } = simulate(casOnRu4({ uninstallBlocked: 'patch-not-registered' }));
    await run(driver, 'install', INSTALL_ARGS);
    const error = await failure(run(driver, 'uninstall', uninstallArgs()));
    expect(error.code).toBe('PATCH_NOT_INSTALLED');
    expect(error.message).toContain('SEA-CAS01 runs 8.1.340.1, not 8.1.311.3 as recorded before the install');
    expect(error.message).toContain('Check the file version of <Exchange>\\Bin\\ExSetup.exe');
    expect(driver.state().server.build).toBe(RU6);
  });

  it('fails PATCH_CACHE_MISSING when the cached .msp is gone from the Windows Installer cache', async () => {
    const { driver } = simulate(casOnRu4({ uninstallBlocked: 'cache-missing' }));
    await run(driver, 'install', INSTALL_ARGS);
    const error = await failure(run(driver, 'uninstall', uninstallArgs()));
    expect(error.code).toBe('PATCH_CACHE_MISSING');
    expect(error.message).toContain('Windows Installer cache (%WINDIR%\\Installer)');
    expect(error.message).toContain(
      'Restore the .msp to the Windows Installer cache from the original package',
    );
    expect(error.message).toContain('or remove the update from Add or Remove Programs by hand');
    expect(driver.state().server.build).toBe(RU6);
  });

  it('fails PATCH_NOT_INSTALLED for another product code', async () => {
    const { driver } = simulate(casOnRu4());
    await run(driver, 'install', INSTALL_ARGS);
    const args = { ...uninstallArgs(), productCode: '{00000000-0000-0000-0000-000000000000}' };
    expect((await failure(run(driver, 'uninstall', args))).code).toBe('PATCH_NOT_INSTALLED');
    expect(driver.state().server.build).toBe(RU6);
  });

  it('removes the update but fails BUILD_MISMATCH when the build it returns to is not the recorded one', async () => {
    const { driver } = simulate(casOnRu4());
    await run(driver, 'install', INSTALL_ARGS);
    const error = await failure(run(driver, 'uninstall', uninstallArgs('8.1.336.1')));
    expect(error).toMatchObject({ code: 'BUILD_MISMATCH', details: { build: RU4 } });
    expect(driver.state().server.build).toBe(RU4);
  });
});
