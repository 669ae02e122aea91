import { describe, expect, it } from 'vitest';
import {
  casOnRu4,
  failure,
  INSTALL_ARGS,
  PACKAGE,
  precheckArgs,
  RU4,
  RU6,
  run,
  simulate,
} from './test-fixtures.js';

describe('precheck: the server is re-checked just before its turn', () => {
  it('passes an SP1 RU4 server with enough disk, no pending restart and the right package', async () => {
    const { driver } = simulate(casOnRu4());
    await expect(run(driver, 'precheck', precheckArgs())).resolves.toEqual({
      build: RU4,
      rebootRequired: false,
    });
  });

  it('refuses a server whose build changed since the plan (patched by hand to RU5)', async () => {
    const host = casOnRu4();
    host.server.build = '8.1.336.1';
    const { driver } = simulate(host);
    const error = await failure(run(driver, 'precheck', precheckArgs(RU4)));
    expect(error.code).toBe('PRECHECK_BUILD_CHANGED');
    expect(error.message).toBe(
      'SEA-CAS01 runs 8.1.336.1 (SP1 RU5), not 8.1.311.3 as when the rollout was planned; plan it again',
    );
    expect(error.details).toEqual({ build: '8.1.336.1', rebootRequired: false });
  });

  it('accepts the zero-padded form of the planned build', async () => {
    const { driver } = simulate(casOnRu4());
    await expect(run(driver, 'precheck', precheckArgs('08.01.0311.003'))).resolves.toMatchObject({
      build: RU4,
    });
  });

  it('refuses a server with a restart pending', async () => {
    const { driver } = simulate(casOnRu4({ pendingReboot: true }));
    const error = await failure(run(driver, 'precheck', precheckArgs()));
    expect(error).toMatchObject({ code: 'PRECHECK_PENDING_REBOOT', details: { rebootRequired: true } });
  });

  it('reads a pending restart from the host facts as well', async () => {
    const host = casOnRu4();
    host.host = { ...host.host, pendingReboot: true };
    const { driver } = simulate(host);
    expect((await failure(run(driver, 'precheck', precheckArgs()))).code).toBe('PRECHECK_PENDING_REBOOT');
  });

  it('refuses a server with less free disk than the policy asks for', async () => {
    const { driver } = simulate(casOnRu4({ freeDiskMb: 800 }));
    const error = await failure(run(driver, 'precheck', precheckArgs(RU4, 1024)));
    expect(error.code).toBe('PRECHECK_DISK_SPACE');
    expect(error.message).toBe('SEA-CAS01 has 800 MB free on the system drive; the install needs 1024 MB');
  });

  it('refuses a server that is not on SP1: RTM, SP2', async () => {
    for (const build of ['8.0.685.25', '8.2.176.2']) {
      const host = casOnRu4();
      host.server.build = build;
      const { driver } = simulate(host);
      const error = await failure(run(driver, 'precheck', precheckArgs(build)));
      expect(error.code).toBe('PRECHECK_NOT_SP1');
      expect(error.message).toContain('not Exchange 2007 SP1 (8.1.x)');
    }
  });

  it('refuses a package whose SHA-256 differs from the one on the host, in precheck and in install', async () => {
    const { driver } = simulate(casOnRu4());
    const tampered = { ...PACKAGE, sha256: 'f'.repeat(64) };
    const precheck = await failure(run(driver, 'precheck', { ...precheckArgs(), package: tampered }));
    expect(precheck.code).toBe('PACKAGE_HASH_MISMATCH');
    expect(precheck.message).toContain(`has SHA-256 ${PACKAGE.sha256}, not ${'f'.repeat(64)}`);
    const install = await failure(run(driver, 'install', { ...INSTALL_ARGS, package: tampered }));
    expect(install.code).toBe('PACKAGE_HASH_MISMATCH');
    expect(driver.state().server.build).toBe(RU4);
  });

  it('accepts any hash when the description lists no packages', async () => {
    const host = casOnRu4();
    host.behaviour = {};
    const { driver } = simulate(host);
    const args = { ...precheckArgs(), package: { ...PACKAGE, sha256: '0'.repeat(64) } };
    await expect(run(driver, 'precheck', args)).resolves.toMatchObject({ build: RU4 });
  });

  it('reports a package the host does not hold, and one for the wrong processor', async () => {
    const { driver } = simulate(casOnRu4());
    const x86 = { file: 'Exchange2007-KB959241-x86-EN.msp', sha256: PACKAGE.sha256 };
    expect((await failure(run(driver, 'precheck', { ...precheckArgs(), package: x86 }))).code).toBe(
      'PACKAGE_MISSING',
    );
    const host = casOnRu4({ packages: { [x86.file]: x86.sha256 } });
    const { driver: x64Host } = simulate(host);
    const error = await failure(run(x64Host, 'install', { package: x86, targetBuild: RU6 }));
    expect(error.code).toBe('PACKAGE_WRONG_ARCHITECTURE');
    expect(error.message).toContain('not compatible with the version of Exchange Server 2007');
  });

  it('checks in a fixed order: the line first, then the planned build', async () => {
    const host = casOnRu4({ pendingReboot: true });
    host.server.build = '8.2.176.2';
    const { driver } = simulate(host);
    expect((await failure(run(driver, 'precheck', precheckArgs(RU4)))).code).toBe('PRECHECK_NOT_SP1');
  });
});
