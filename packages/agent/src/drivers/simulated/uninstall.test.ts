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

  it('fails PATCH_NOT_INSTALLED when the rollup is not installed, and changes nothing', async () => {
    const { driver } = simulate(casOnRu4());
    const error = await failure(run(driver, 'uninstall', uninstallArgs()));
    expect(error.code).toBe('PATCH_NOT_INSTALLED');
    expect(error.message).toBe(
      'update 959241 is not registered as installed for product {24B2C164-DE66-44FE-B468-A46D9D5E6B31} on ' +
        'SEA-CAS01 (build 8.1.311.3); there is nothing to remove',
    );
    expect(driver.state().server.build).toBe(RU4);
  });

  it('fails PATCH_NOT_INSTALLED when the patch is not registered although the build says RU6', async () => {
    const { driver } = simulate(casOnRu4({ uninstallBlocked: 'patch-not-registered' }));
    await run(driver, 'install', INSTALL_ARGS);
    expect((await failure(run(driver, 'uninstall', uninstallArgs()))).code).toBe('PATCH_NOT_INSTALLED');
    expect(driver.state().server.build).toBe(RU6);
  });

  it('fails PATCH_CACHE_MISSING when the cached .msp is gone from the Windows Installer cache', async () => {
    const { driver } = simulate(casOnRu4({ uninstallBlocked: 'cache-missing' }));
    await run(driver, 'install', INSTALL_ARGS);
    const error = await failure(run(driver, 'uninstall', uninstallArgs()));
    expect(error.code).toBe('PATCH_CACHE_MISSING');
    expect(error.message).toContain('Windows Installer cache (%WINDIR%\\Installer)');
    expect(driver.state().server.build).toBe(RU6);
  });

  it('fails PATCH_NOT_INSTALLED for another product code', async () => {
    const { driver } = simulate(casOnRu4());
    await run(driver, 'install', INSTALL_ARGS);
    const args = { ...uninstallArgs(), productCode: '{00000000-0000-0000-0000-000000000000}' };
    expect((await failure(run(driver, 'uninstall', args))).code).toBe('PATCH_NOT_INSTALLED');
  });

  it('removes the update but fails BUILD_MISMATCH when the build it returns to is not the recorded one', async () => {
    const { driver } = simulate(casOnRu4());
    await run(driver, 'install', INSTALL_ARGS);
    const error = await failure(run(driver, 'uninstall', uninstallArgs('8.1.336.1')));
    expect(error).toMatchObject({ code: 'BUILD_MISMATCH', details: { build: RU4 } });
    expect(driver.state().server.build).toBe(RU4);
  });
});
