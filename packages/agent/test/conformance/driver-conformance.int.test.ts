import { afterAll, describe, expect, it } from 'vitest';
import type { StepFailedError } from '../../src/errors.js';
import { StubPowerShellPool } from '../stub-exchange/runner.js';
import { powershellDriver, simulatedDriver, transcript } from './run.js';
import { SCENARIOS } from './scenarios.js';

// Both host drivers, the same scenarios, the same commands: the step outcomes, codes and the details the server
// reads must agree, and so must what each driver reads of the server before and after.
describe('driver conformance: the simulated driver and the PowerShell scripts on the stub Exchange host', () => {
  const pool = new StubPowerShellPool();
  afterAll(() => pool.close());

  for (const scenario of SCENARIOS)
    it(scenario.name, { timeout: 120_000 }, async () => {
      const simulated = await transcript(simulatedDriver(scenario), scenario);
      const powershell = await transcript(powershellDriver(scenario, pool).driver, scenario);
      const expected = scenario.steps.map((entry) =>
        entry.expect === 'ok'
          ? { step: entry.step, outcome: 'ok' }
          : { step: entry.step, outcome: 'failed', code: entry.expect.code },
      );
      const shape = (steps: typeof simulated.steps) =>
        steps.map(({ step, outcome, code }) => ({ step, outcome, ...(code ? { code } : {}) }));
      expect(shape(powershell.steps)).toEqual(expected);
      expect(shape(simulated.steps)).toEqual(expected);
      expect(powershell.steps).toEqual(simulated.steps);
      expect(powershell.before).toEqual(simulated.before);
      expect(powershell.after).toEqual(simulated.after);
    });
});

describe('what msiexec said, in the words the operator reads (PowerShell driver on the stub host)', () => {
  const pool = new StubPowerShellPool();
  afterAll(() => pool.close());
  const byName = (name: string) => {
    const scenario = SCENARIOS.find((entry) => entry.name === name);
    if (!scenario) throw new Error(`no scenario ${name}`);
    return scenario;
  };
  const installError = async (name: string) => {
    const scenario = byName(name);
    const { driver } = powershellDriver(scenario, pool);
    const install = scenario.steps.find((entry) => entry.step === 'install');
    if (!install) throw new Error(`${name} has no install`);
    const context = { commandId: 'msi', signal: new AbortController().signal, progress: () => undefined };
    return driver.runStep('install', install.args as never, context).then(
      () => undefined,
      (error: unknown) => error as StepFailedError,
    );
  };

  it('names the custom action that failed and what 1603 means', { timeout: 60_000 }, async () => {
    const error = await installError('msiexec fails with "Return Value 3"');
    expect(error?.code).toBe('INSTALL_FAILED');
    expect(error?.message).toContain('msiexec 1603 is a fatal error during the installation');
    expect(error?.message).toContain(
      'CustomAction CAQuietExec_OwaVdirUpdate returned actual error code 1603',
    );
  });

  it('says to wait and run the step again on 1618', { timeout: 60_000 }, async () => {
    const error = await installError('msiexec 1618: another installation is in progress');
    expect(error?.message).toContain('another installation is already in progress');
  });

  it('does not fail an install that msiexec reports as done, whatever "Return value 3" lines its log holds', {
    timeout: 60_000,
  }, async () => {
    expect(await installError('msiexec 3010: installed, a restart is required')).toBeUndefined();
  });
});
