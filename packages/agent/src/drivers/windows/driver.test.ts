import type { StepArgs } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { DriverError } from '../../errors.js';
import type { StepContext } from '../types.js';
import { PowerShellDriver } from './driver.js';
import { FakeRunner } from './fixtures/fake-runner.js';
import { fixture } from './fixtures/load.js';
import { RemotePowerShellRunner } from './remote-runner.js';
import type { PowerShellRunner } from './runner.js';

const SHA = '5e1f0b0c9b3a1d7e4c2f8a6b0d9e3c7a1f5b2d8e6c4a0f9b3d7e1c5a2f8b6d04';
const INSTALL: StepArgs['install'] = {
  package: { file: 'Exchange2007-KB959241-x64-EN.msp', sha256: SHA },
  targetBuild: '8.1.340.1',
};

/** A StepContext that records progress. */
function context(signal = new AbortController().signal) {
  const progress: { message: string; percent: number | undefined }[] = [];
  const value: StepContext = {
    commandId: 'rollout-1:SEA-CAS01:install',
    signal,
    progress: (message, percent) => progress.push({ message, percent }),
  };
  return { value, progress };
}

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; code: string; message: string; details?: unknown };
  }
  throw new Error('expected a rejection');
};

describe('PowerShellDriver', () => {
  it('collects the inventory through the runner, within the inventory timeout', async () => {
    const runner = new FakeRunner({ stdout: fixture('inventory-cas-hub-sp1ru4.txt') });
    const driver = new PowerShellDriver({ runner });
    expect(driver.kind).toBe('powershell');
    const snapshot = await driver.collect();
    expect(snapshot.server).toMatchObject({ name: 'SEA-CAS01', internetFacing: true, owaCustomized: true });
    expect(runner.scripts[0]).toContain('Get-ExchangeServer -Identity $env:COMPUTERNAME');
    expect(runner.options[0]?.timeoutMs).toBe(10 * 60_000);
  });

  it('runs a local restart once: an output without a status line is an error at once, not a wait for the host', async () => {
    const runner = new FakeRunner({ stdout: '' });
    const driver = new PowerShellDriver({ runner, restartPollMs: 1 });
    const error = await rejection(driver.runStep('restart', { reason: 'msiexec 3010' }, context().value));
    expect(error.code).toBe('AGENT_ERR_DRIVER_OUTPUT');
    expect(runner.scripts).toHaveLength(1);
    expect(runner.options[0]?.timeoutMs).toBe(30 * 60_000);
  });

  it('installs: the generated script, a two-hour timeout, progress from the script, the details', async () => {
    const runner = new FakeRunner({ stdout: fixture('install-success.txt') });
    const { value, progress } = context();
    const details = await new PowerShellDriver({ runner }).runStep('install', INSTALL, value);
    expect(details).toMatchObject({ build: '8.1.340.1', logPath: expect.stringContaining('KB959241') });
    expect(runner.scripts[0]).toContain(`$expected = '${SHA}'`);
    expect(runner.options[0]?.timeoutMs).toBe(2 * 60 * 60_000);
    expect(progress.at(0)).toEqual({ message: 'install: running on fake', percent: 0 });
    expect(progress.map((entry) => entry.message)).toContain(
      'msiexec /update C:\\exrollout\\packages\\Exchange2007-KB959241-x64-EN.msp /quiet /norestart (an hour or more is normal)',
    );
    expect(progress.at(-1)).toEqual({ message: 'install: done', percent: 100 });
  });

  it("refuses '; Remove-Item in an argument before any script is generated or run", async () => {
    const runner = new FakeRunner();
    const error = await rejection(
      new PowerShellDriver({ runner }).runStep(
        'move-cms',
        { cms: "SEA-MBX1'; Remove-Item C:\\ -Recurse; '", targetNode: 'SEA-CCR1-N2' },
        context().value,
      ),
    );
    expect(error).toMatchObject({ name: 'StepFailedError', code: 'INVALID_ARGUMENTS' });
    expect(runner.scripts).toEqual([]);
  });

  it('reports services that will not start (KB 944752), then succeeds with the remedy', async () => {
    const runner = new FakeRunner(
      { stdout: fixture('verify-services-stopped.txt') },
      { stdout: fixture('verify-remedied.txt') },
    );
    const driver = new PowerShellDriver({ runner });
    const first = await rejection(
      driver.runStep('verify', { targetBuild: '8.1.340.1', remedyKb944752: false }, context().value),
    );
    expect(first).toMatchObject({
      code: 'SERVICES_NOT_STARTED',
      details: { servicesStopped: ['MSExchangeMailSubmission', 'MSExchangeServiceHost'] },
    });
    const second = await driver.runStep(
      'verify',
      { targetBuild: '8.1.340.1', remedyKb944752: true },
      context().value,
    );
    expect(second).toEqual({
      build: '8.1.340.1',
      servicesStarted: ['MSExchangeMailSubmission', 'MSExchangeServiceHost'],
      remedyKb944752Applied: true,
      remedyFiles: [
        'C:\\Program Files\\Microsoft\\Exchange Server\\Bin\\MSExchangeMailSubmission.exe.config',
        'C:\\Program Files\\Microsoft\\Exchange Server\\Bin\\Microsoft.Exchange.ServiceHost.exe.config',
        'C:\\Program Files\\Microsoft\\Exchange Server\\Bin\\MSExchangeTransport.exe.config',
      ],
    });
    expect(runner.scripts[1]).toContain('-and $true) {');
  });

  it('fails an install with INSTALL_FAILED and the MSI log line', async () => {
    const runner = new FakeRunner({ stdout: fixture('install-return-value-3.txt') });
    const error = await rejection(
      new PowerShellDriver({ runner }).runStep('install', INSTALL, context().value),
    );
    expect(error).toMatchObject({
      code: 'INSTALL_FAILED',
      message: expect.stringContaining('Return value 3'),
    });
  });

  it('runs uninstall again after it completed: { build }, and the progress says there was nothing to do', async () => {
    const runner = new FakeRunner({ stdout: fixture('uninstall-already-removed.txt') });
    const { value, progress } = context();
    const args: StepArgs['uninstall'] = {
      productCode: '{24B2C164-DE66-44FE-B468-A46D9D5E6B31}',
      kb: '959241',
      expectedBuild: '8.1.311.3',
    };
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown) => warnings.push(fields) };
    await expect(new PowerShellDriver({ runner, logger }).runStep('uninstall', args, value)).resolves.toEqual(
      {
        build: '8.1.311.3',
      },
    );
    expect(warnings).toEqual([]);
    expect(progress.map((entry) => entry.message)).toContain(
      'update 959241 is not installed and ExSetup.exe is already 8.1.311.3: nothing to uninstall',
    );
  });

  it('moves a clustered mailbox server and the cluster group on a CCR active node', async () => {
    const runner = new FakeRunner(
      { stdout: fixture('move-cms-ok.txt') },
      { stdout: fixture('move-cluster-group-ok.txt') },
    );
    const driver = new PowerShellDriver({ runner });
    expect(
      await driver.runStep('move-cms', { cms: 'SEA-MBX1', targetNode: 'SEA-CCR1-N2' }, context().value),
    ).toEqual({
      movedTo: 'SEA-CCR1-N2',
    });
    expect(
      await driver.runStep('move-cluster-group', { targetNode: 'SEA-CCR1-N2' }, context().value),
    ).toEqual({
      movedTo: 'SEA-CCR1-N2',
    });
    expect(runner.scripts[0]).toContain("-MoveComment 'exrollout KB959241 rollout-1:SEA-CAS01:install'");
  });

  it('turns output without a status line into AGENT_ERR_DRIVER_OUTPUT, with stderr', async () => {
    const runner = new FakeRunner({
      stdout: fixture('inventory-truncated.txt'),
      stderr: 'Get-ExchangeServer : timed out',
      exitCode: 1,
    });
    const error = await rejection(new PowerShellDriver({ runner }).collect());
    expect(error).toMatchObject({ name: 'DriverError', code: 'AGENT_ERR_DRIVER_OUTPUT' });
    expect(error.message).toContain('Get-ExchangeServer : timed out');
    expect(error.message).toContain('exit code 1');
  });

  it('turns a WinRM failure in remote mode into AGENT_ERR_DRIVER_REMOTE', async () => {
    const local = new FakeRunner({
      stdout:
        'EXR|transport.error|Connecting to remote server failed with the following error message : Access is denied.\r\n',
    });
    const runner = new RemotePowerShellRunner({ computerName: 'SEA-CAS01' }, local);
    const error = await rejection(new PowerShellDriver({ runner }).collect());
    expect(error).toMatchObject({
      code: 'AGENT_ERR_DRIVER_REMOTE',
      message: expect.stringContaining('Access is denied'),
    });
    expect(local.scripts[0]).toContain("Invoke-Command -ComputerName 'SEA-CAS01'");
  });

  it('logs keys and lines it does not know, and still reads the rest', async () => {
    const warnings: Record<string, unknown>[] = [];
    const stdout = fixture('install-success.txt').replace(
      'EXR|status|ok',
      'EXR|msi.newThing|1\nEXR|a|b|c\nEXR|status|ok',
    );
    const driver = new PowerShellDriver({
      runner: new FakeRunner({ stdout }),
      logger: { warn: (fields) => warnings.push(fields) },
    });
    await driver.runStep('install', INSTALL, context().value);
    expect(warnings).toEqual([
      { script: 'install', unknownKeys: ['msi.newThing'], malformed: ['EXR|a|b|c'] },
    ]);
  });

  it('reports a cancelled step as STEP_CANCELLED', async () => {
    const aborting: PowerShellRunner = {
      target: 'fake',
      run: () => Promise.reject(new DriverError('AGENT_ERR_DRIVER_ABORTED', 'the script was aborted')),
    };
    const error = await rejection(
      new PowerShellDriver({ runner: aborting }).runStep('install', INSTALL, context().value),
    );
    expect(error).toMatchObject({ name: 'StepFailedError', code: 'STEP_CANCELLED' });
  });

  it('uses per-step timeouts from the options', async () => {
    const runner = new FakeRunner({ stdout: fixture('install-success.txt') });
    await new PowerShellDriver({ runner, timeoutsMs: { install: 3 * 60 * 60_000 } }).runStep(
      'install',
      INSTALL,
      context().value,
    );
    expect(runner.options[0]?.timeoutMs).toBe(3 * 60 * 60_000);
  });
});
