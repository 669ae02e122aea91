import { describe, expect, it } from 'vitest';
import { validateStepArgs } from '../args.js';
import { parseExrOutput } from '../exr-format.js';
import { fixture } from '../fixtures/load.js';
import { stepOutcome } from './steps.js';

const SHA = '5e1f0b0c9b3a1d7e4c2f8a6b0d9e3c7a1f5b2d8e6c4a0f9b3d7e1c5a2f8b6d04';
const PACKAGE = { file: 'Exchange2007-KB959241-x64-EN.msp', sha256: SHA };
const PRECHECK = { expectedBuild: '8.1.311.3', targetBuild: '8.1.340.1', package: PACKAGE, minFreeMb: 2048 };

const outcome = (step: Parameters<typeof validateStepArgs>[0], args: unknown, stdout: string) =>
  stepOutcome(validateStepArgs(step, args), parseExrOutput(stdout));
const failure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as { name: string; code: string; message: string; details: unknown };
  }
  throw new Error('expected the step to fail');
};

describe('install', () => {
  it('succeeds with the new build and the MSI log path', () => {
    expect(
      outcome('install', { package: PACKAGE, targetBuild: '8.1.340.1' }, fixture('install-success.txt')),
    ).toEqual({
      build: '8.1.340.1',
      logPath: 'C:\\ExchangeSetupLogs\\exrollout-Exchange2007-KB959241-x64-EN-20090215-021502.log',
    });
  });

  it('fails with INSTALL_FAILED naming the first "Return Value 3" line of the MSI log', () => {
    const error = failure(() =>
      outcome(
        'install',
        { package: PACKAGE, targetBuild: '8.1.340.1' },
        fixture('install-return-value-3.txt'),
      ),
    );
    expect(error).toMatchObject({
      name: 'StepFailedError',
      code: 'INSTALL_FAILED',
      details: { logPath: expect.stringContaining('ExchangeSetupLogs') },
    });
    expect(error.message).toContain('msiexec exited with 1603');
    expect(error.message).toContain('Action ended 2:47:13: InstallExecute. Return value 3.');
  });

  it('fails with PACKAGE_HASH_MISMATCH when the .msp is not the expected one', () => {
    const error = failure(() =>
      outcome(
        'install',
        { package: PACKAGE, targetBuild: '8.1.340.1' },
        fixture('install-hash-mismatch.txt'),
      ),
    );
    expect(error).toMatchObject({ code: 'PACKAGE_HASH_MISMATCH', details: {} });
    expect(error.message).toContain('it was not run');
  });

  it('fails with BUILD_MISMATCH when msiexec succeeded but ExSetup.exe did not change', () => {
    const stdout = fixture('install-success.txt').replace('EXR|build|8.1.340.1', 'EXR|build|8.1.311.3');
    expect(
      failure(() => outcome('install', { package: PACKAGE, targetBuild: '8.1.340.1' }, stdout)).code,
    ).toBe('BUILD_MISMATCH');
  });
});

describe('verify', () => {
  it('fails with SERVICES_NOT_STARTED listing the stopped services (KB 944752, no remedy asked)', () => {
    const error = failure(() =>
      outcome(
        'verify',
        { targetBuild: '8.1.340.1', remedyKb944752: false },
        fixture('verify-services-stopped.txt'),
      ),
    );
    expect(error).toMatchObject({
      code: 'SERVICES_NOT_STARTED',
      details: { build: '8.1.340.1', servicesStopped: ['MSExchangeMailSubmission', 'MSExchangeServiceHost'] },
    });
  });

  it('succeeds once the remedy let the services start', () => {
    expect(
      outcome('verify', { targetBuild: '8.1.340.1', remedyKb944752: true }, fixture('verify-remedied.txt')),
    ).toEqual({
      build: '8.1.340.1',
      servicesStarted: ['MSExchangeMailSubmission', 'MSExchangeServiceHost'],
      remedyKb944752Applied: true,
      remedyFiles: [
        'C:\\Program Files\\Microsoft\\Exchange Server\\Bin\\MSExchangeMailSubmission.exe.config',
        'C:\\Program Files\\Microsoft\\Exchange Server\\Bin\\Microsoft.Exchange.ServiceHost.exe.config',
        'C:\\Program Files\\Microsoft\\Exchange Server\\Bin\\MSExchangeTransport.exe.config',
      ],
    });
  });

  it('fails with BUILD_MISMATCH on another build', () => {
    expect(
      failure(() =>
        outcome(
          'verify',
          { targetBuild: '8.1.340.1', remedyKb944752: true },
          'EXR|build|8.1.311.3\nEXR|status|ok\n',
        ),
      ).code,
    ).toBe('BUILD_MISMATCH');
  });
});

describe('uninstall', () => {
  const args = {
    productCode: '{24B2C164-DE66-44FE-B468-A46D9D5E6B31}',
    kb: '959241',
    expectedBuild: '8.1.311.3',
  };

  it('fails with PATCH_CACHE_MISSING and says what to do', () => {
    const error = failure(() => outcome('uninstall', args, fixture('uninstall-cache-missing.txt')));
    expect(error.code).toBe('PATCH_CACHE_MISSING');
    expect(error.message).toContain('C:\\WINDOWS\\Installer\\3c2a5f.msp');
    expect(error.message).toContain(
      'Restore it to the Windows Installer cache from the original package: copy the original .msp',
    );
    expect(error.message).toContain('or remove the update from Add or Remove Programs by hand');
  });

  it('succeeds with { build } when run again after it completed: not installed, already on expectedBuild', () => {
    expect(outcome('uninstall', args, fixture('uninstall-already-removed.txt'))).toEqual({
      build: '8.1.311.3',
    });
    expect(
      outcome(
        'uninstall',
        { ...args, expectedBuild: '08.01.0311.003' },
        fixture('uninstall-already-removed.txt'),
      ),
    ).toEqual({ build: '8.1.311.3' });
  });

  it('fails with PATCH_NOT_INSTALLED when not installed on another build, and says what to check', () => {
    const error = failure(() => outcome('uninstall', args, fixture('uninstall-not-installed.txt')));
    expect(error).toMatchObject({ code: 'PATCH_NOT_INSTALLED', details: { build: '8.1.340.1' } });
    expect(error.message).toContain('but the build says otherwise');
    expect(error.message).toContain('ExSetup.exe is 8.1.340.1, not 8.1.311.3 as recorded before the install');
    expect(error.message).toContain('Check the file version of ExSetup.exe and that Patches key');
  });

  it('succeeds when the build is back to the one recorded before the install', () => {
    const stdout =
      'EXR|patch.code|{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}\nEXR|msi.exitCode|0\nEXR|build|08.01.0311.003\nEXR|status|ok\n';
    expect(outcome('uninstall', args, stdout)).toEqual({ build: '08.01.0311.003' });
  });
});

describe('precheck', () => {
  it('passes on the planned build, no reboot pending, enough space and the right package', () => {
    expect(outcome('precheck', PRECHECK, fixture('precheck-ok.txt'))).toEqual({ build: '8.1.311.3' });
  });

  it.each([
    ['EXR|build|8.1.311.3', 'EXR|build|8.0.685.25', 'PRECHECK_NOT_SP1'],
    ['EXR|build|8.1.311.3', 'EXR|build|8.1.336.1', 'PRECHECK_BUILD_CHANGED'],
    ['reboot.cbs|False', 'reboot.cbs|True', 'PRECHECK_PENDING_REBOOT'],
    ['reboot.fileRenames|0', 'reboot.fileRenames|2', 'PRECHECK_PENDING_REBOOT'],
    ['host.freeMb|18342', 'host.freeMb|1024', 'PRECHECK_DISK_SPACE'],
    [`package.sha256|${SHA}`, `package.sha256|${'0'.repeat(64)}`, 'PACKAGE_HASH_MISMATCH'],
    ['host.architecture|AMD64', 'host.architecture|x86', 'PACKAGE_WRONG_ARCHITECTURE'],
  ])('turns %s into %s -> %s', (from, to, code) => {
    expect(
      failure(() => outcome('precheck', PRECHECK, fixture('precheck-ok.txt').replace(from, to))).code,
    ).toBe(code);
  });

  it('reports a package that is not staged', () => {
    const stdout = fixture('precheck-ok.txt')
      .split('\n')
      .filter((line) => !line.includes('package.'))
      .concat('EXR|package.missing|C:\\\\exrollout\\\\packages\\\\Exchange2007-KB959241-x64-EN.msp')
      .join('\n');
    expect(failure(() => outcome('precheck', PRECHECK, stdout)).code).toBe('PACKAGE_MISSING');
  });
});

describe('cluster moves', () => {
  it('move-cms succeeds when the target is <Active> afterwards, and says where it moved', () => {
    expect(
      outcome('move-cms', { cms: 'SEA-MBX1', targetNode: 'SEA-CCR1-N2' }, fixture('move-cms-ok.txt')),
    ).toEqual({
      movedTo: 'SEA-CCR1-N2',
    });
  });

  it('move-cms succeeds with the same movedTo when run again: the target already hosts the CMS', () => {
    expect(
      outcome(
        'move-cms',
        { cms: 'SEA-MBX1', targetNode: 'SEA-CCR1-N2' },
        fixture('move-cms-already-on-target.txt'),
      ),
    ).toEqual({ movedTo: 'SEA-CCR1-N2' });
  });

  it('move-cms fails with CMS_MOVE_FAILED when another node is still active', () => {
    const stdout = fixture('move-cms-ok.txt')
      .replace('SEA-CCR1-N2 <Active>', 'SEA-CCR1-N2')
      .replace('N1 <Quorum Owner>', 'N1 <Active, Quorum Owner>');
    const error = failure(() => outcome('move-cms', { cms: 'SEA-MBX1', targetNode: 'SEA-CCR1-N2' }, stdout));
    expect(error.code).toBe('CMS_MOVE_FAILED');
    expect(error.message).toContain('active on SEA-CCR1-N1');
  });

  it('move-cluster-group checks the owner cluster.exe lists', () => {
    expect(
      outcome('move-cluster-group', { targetNode: 'SEA-CCR1-N2' }, fixture('move-cluster-group-ok.txt')),
    ).toEqual({
      movedTo: 'SEA-CCR1-N2',
    });
    expect(
      failure(() =>
        outcome('move-cluster-group', { targetNode: 'SEA-CCR1-N1' }, fixture('move-cluster-group-ok.txt')),
      ).code,
    ).toBe('CLUSTER_GROUP_MOVE_FAILED');
  });
});

describe('other steps', () => {
  it('remove-interim-updates lists what it removed', () => {
    const stdout =
      'EXR|iu.removed|IU one\nEXR|iu.absent|IU two\nEXR|msi.log|C:\\\\ExchangeSetupLogs\\\\iu.log\nEXR|build|8.1.311.3\nEXR|status|ok\n';
    expect(outcome('remove-interim-updates', { interimUpdates: ['IU one', 'IU two'] }, stdout)).toEqual({
      build: '8.1.311.3',
      removed: ['IU one'],
      logPath: 'C:\\ExchangeSetupLogs\\iu.log',
    });
  });

  it('backup-owa reports where the backup is', () => {
    const stdout =
      'EXR|owa.backup|C:\\\\exrollout\\\\owa-backup\\\\20090215-020000\nEXR|owa.changedCount|2\nEXR|status|ok\n';
    expect(outcome('backup-owa', {}, stdout)).toEqual({
      backupPath: 'C:\\exrollout\\owa-backup\\20090215-020000',
      owaFiles: 2,
    });
  });

  it('restore-owa fails with OWA_RESTORE_FAILED when there is no backup', () => {
    const stdout = 'EXR|error.code|OWA_RESTORE_FAILED\nEXR|error.message|no OWA backup\nEXR|status|error\n';
    expect(failure(() => outcome('restore-owa', {}, stdout)).code).toBe('OWA_RESTORE_FAILED');
  });
});
