import { type StepArgs, type StepDetails, sameBuild } from '@exrollout/core';
import type { StepRun } from '../run.js';

const EXCHANGE_BIN = 'C:\\Program Files\\Microsoft\\Exchange Server\\Bin';

/**
 * @internal Checks that the build is the target and the Exchange services run. Services stopped by KB 944752
 * fail the step unless `remedyKb944752` is set: then the remedy is applied, the services start, and the details
 * say so (`remedyKb944752Applied`, `servicesStarted`).
 */
export async function verify(run: StepRun, args: StepArgs['verify']): Promise<StepDetails> {
  await run.work();
  const { server, servicesStopped } = run.host.current;
  const build = server.build;
  if (!sameBuild(build, args.targetBuild))
    run.fail('BUILD_MISMATCH', `${run.name} runs ${build}, not ${args.targetBuild}`, { build });
  if (servicesStopped.length === 0) return { build };
  if (!args.remedyKb944752)
    run.fail(
      'SERVICES_NOT_STARTED',
      `${servicesStopped.join(', ')} did not start on ${run.name} after the update: the service control manager ` +
        'timed out (30000 ms) while .NET checked the Authenticode signatures against crl.microsoft.com, which ' +
        'the server cannot reach (KB 944752); verify again with the KB 944752 remedy',
      { build, servicesStopped: [...servicesStopped] },
    );
  if (run.host.current.host.dotNet20Sp1 === false)
    run.fail(
      'SERVICES_NOT_STARTED',
      `${servicesStopped.join(', ')} did not start on ${run.name} after the update (KB 944752), and the remedy was ` +
        'not applied: generatePublisherEvidence is read from .NET Framework 2.0 SP1 on, and this server has no ' +
        '.NET Framework 2.0 SP1: install it, then verify again',
      { build, servicesStopped: [...servicesStopped] },
    );
  run.progress(
    `KB 944752: generatePublisherEvidence set to false in the .exe.config of ${servicesStopped.length} services; starting them`,
  );
  await run.wait(run.host.behaviour.stepMs);
  run.host.change((state) => {
    state.remedyKb944752Applied = true;
    state.servicesStopped = [];
  });
  // Each service's own .exe.config, beside its executable in Exchange's Bin folder.
  const remedyFiles = servicesStopped.map((name) => `${EXCHANGE_BIN}\\${name}.exe.config`);
  return { build, servicesStarted: [...servicesStopped], remedyKb944752Applied: true, remedyFiles };
}
