import { afterAll, describe, expect, it } from 'vitest';
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
