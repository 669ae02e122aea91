import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PowerShellDriver } from '../../src/drivers/windows/driver.js';
import type { PowerShellDriverOptions } from '../../src/drivers/windows/options.js';
import type { PowerShellRunner, RunOptions, RunResult } from '../../src/drivers/windows/runner.js';
import { restartMarkerName } from '../../src/drivers/windows/scripts/restart.js';
import { StepFailedError } from '../../src/errors.js';
import { PACKAGE, RU6, SCENARIOS } from '../conformance/scenarios.js';
import { createStubHost, readStubState, type StubHostOptions } from './host.js';
import { StubHostRunner, StubPowerShellPool } from './runner.js';

// What the conformance table cannot show: what the PowerShell driver did to the stub host's registry, files and
// history, and the restart's paths that only a real Windows takes (the re-run after the boot, a refused or
// ignored shutdown.exe, a managed server that does not answer while it boots).
const HOOKS_KEY =
  'hkcu:\\software\\microsoft\\windows\\currentversion\\wintrust\\trust providers\\software publishing';
const RESTART = { reason: 'msiexec 3010: a restart finishes the install' };
const INSTALL = { package: { ...PACKAGE }, targetBuild: RU6 };

const pool = new StubPowerShellPool();
afterAll(() => pool.close());

const casHost = () => {
  const scenario = SCENARIOS.find((entry) => entry.name.startsWith('msiexec 3010: installed'));
  if (!scenario) throw new Error('no 3010 scenario');
  return scenario.host;
};

function stubDriver(
  stub: StubHostOptions = {},
  options: Partial<PowerShellDriverOptions> = {},
  wrap: (runner: PowerShellRunner) => PowerShellRunner = (runner) => runner,
) {
  const root = createStubHost(mkdtempSync(join(tmpdir(), 'exr-procedure-')), casHost(), stub);
  const driver = new PowerShellDriver({ runner: wrap(new StubHostRunner(pool, root)), ...options });
  return { root, driver, history: () => readStubState(root).history.map((entry) => entry.what) };
}

const context = (commandId: string, progress: string[] = []) => ({
  commandId,
  signal: new AbortController().signal,
  progress: (message: string) => void progress.push(message),
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof StepFailedError ? error : Promise.reject(error)),
  );

const registryState = (root: string) =>
  (readStubState(root) as unknown as { registry: Record<string, { values: { State?: number } }> }).registry[
    HOOKS_KEY
  ]?.values.State;

describe('the restart step on the stub host', () => {
  it('asks shutdown.exe once, then reports the boot; the same command again does not restart', {
    timeout: 60_000,
  }, async () => {
    const { driver, history } = stubDriver();
    await driver.runStep('install', INSTALL, context('r:1:install'));
    expect((await driver.collect()).host.pendingReboot).toBe(true);
    const first = await driver.runStep('restart', RESTART, context('r:1:restart'));
    const again = await driver.runStep('restart', RESTART, context('r:1:restart'));
    expect(first.restartedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(again.restartedAt).toBe(first.restartedAt);
    expect(history().filter((what) => what === 'restart')).toHaveLength(1);
    expect((await driver.collect()).host.pendingReboot).toBe(false);
  });

  it('run again after Windows booted (the agent went down with it), it reports the boot without asking again', {
    timeout: 60_000,
  }, async () => {
    const { root, driver, history } = stubDriver();
    // What the first run left before the host went down: the boot time it saw.
    const state = join(root, 'C', 'exrollout', 'state');
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, restartMarkerName('r:2:restart')), '2009-01-09T23:00:00.0000000Z\n');
    const details = await driver.runStep('restart', RESTART, context('r:2:restart'));
    expect(details.restartedAt).toBe('2009-01-10T04:00:00.0000000Z');
    expect(history()).not.toContain('restart');
  });

  it('fails RESTART_FAILED with what shutdown.exe said when Windows refuses', {
    timeout: 60_000,
  }, async () => {
    const { driver } = stubDriver({ restart: 'refused' });
    const error = await failure(driver.runStep('restart', RESTART, context('r:3:restart')));
    expect(error?.code).toBe('RESTART_FAILED');
    expect(error?.message).toContain('shutdown.exe /r exited with 5: Access is denied.');
  });

  it('fails RESTART_FAILED when Windows stays up after the wait, and asks again when run again', {
    timeout: 60_000,
  }, async () => {
    const { driver, history } = stubDriver({ restart: 'ignored' }, { restartWaitSeconds: 1 });
    const error = await failure(driver.runStep('restart', RESTART, context('r:4:restart')));
    expect(error?.code).toBe('RESTART_FAILED');
    expect(error?.message).toContain('Windows did not go down within 1 s');
    await failure(driver.runStep('restart', RESTART, context('r:4:restart')));
    expect(history().filter((what) => what === 'restart')).toHaveLength(2);
  });

  it('remote mode: asks the managed server again while it does not answer, until it is back', {
    timeout: 60_000,
  }, async () => {
    let refusals = 2;
    const booting = (runner: PowerShellRunner): PowerShellRunner => ({
      target: 'remote:SEA-CAS01',
      run(script: string, options: RunOptions): Promise<RunResult> {
        if (refusals-- > 0)
          return Promise.resolve({
            stdout:
              'EXR|transport.error|[SEA-CAS01] Connecting to remote server SEA-CAS01 failed: WinRM cannot complete the operation.\n',
            stderr: '',
            exitCode: 1,
          });
        return runner.run(script, options);
      },
    });
    const { driver } = stubDriver({}, { restartPollMs: 50 }, booting);
    const progress: string[] = [];
    const details = await driver.runStep('restart', RESTART, context('r:5:restart', progress));
    expect(details.restartedAt).toBeDefined();
    expect(progress.filter((line) => line.includes('does not answer'))).toHaveLength(2);
  });
});

describe('the revocation check and the hooks around msiexec on the stub host', () => {
  it('turns the publisher revocation check off for msiexec and puts 0x23c00 back', {
    timeout: 60_000,
  }, async () => {
    const { root, driver } = stubDriver();
    const details = await driver.runStep(
      'install',
      { ...INSTALL, crlCheckOff: true },
      context('r:6:install'),
    );
    expect(details.crlCheck).toEqual({ previous: '0x23c00', restored: true });
    const changes = readStubState(root).history.filter((entry) => entry.what === 'registry.set');
    expect(changes.map((entry) => entry.detail.replace(/^.*\\/, ''))).toEqual([
      'State=0x23e00',
      'State=0x23c00',
    ]);
    expect(registryState(root)).toBe(0x23c00);
  });

  it('runs the hook scripts from the hooks folder as scripts of their own', { timeout: 60_000 }, async () => {
    const { driver, history } = stubDriver();
    const error = await failure(
      driver.runStep(
        'install',
        { ...INSTALL, hooks: { before: ['fscutility-disable'], after: [] } },
        context('r:7:install'),
      ),
    );
    expect(error?.code).toBe('HOOK_NOT_FOUND');
    expect(error?.message).toContain('C:\\exrollout\\hooks\\fscutility-disable.ps1 does not exist');
    expect(history()).not.toContain('msiexec');
  });
});
