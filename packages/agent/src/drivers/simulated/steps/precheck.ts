import {
  identifyBuild,
  lineOfBuild,
  releaseLabel,
  type StepArgs,
  type StepDetails,
  sameBuild,
  tryParseBuild,
} from '@exrollout/core';
import type { StepRun } from '../run.js';
import { checkPackage } from './package.js';

/**
 * @internal Checks the server just before its turn, in this order: on SP1, on the build the plan was made from,
 * no restart pending, enough free disk, and the package is the one whose hash was given. Changes nothing.
 */
export async function precheck(run: StepRun, args: StepArgs['precheck']): Promise<StepDetails> {
  await run.work();
  const { server, host } = run.host.current;
  const details: StepDetails = { build: server.build, rebootRequired: host.pendingReboot === true };
  const parsed = tryParseBuild(server.build);
  if (!parsed || lineOfBuild(parsed) !== 'SP1')
    run.fail(
      'PRECHECK_NOT_SP1',
      `${run.name} runs ${describe(server.build)}, not Exchange 2007 SP1 (8.1.x); SP1 rollups apply to SP1 only`,
      details,
    );
  if (!sameBuild(server.build, args.expectedBuild))
    run.fail(
      'PRECHECK_BUILD_CHANGED',
      `${run.name} runs ${describe(server.build)}, not ${args.expectedBuild} as when the rollout was planned; plan it again`,
      details,
    );
  const powershell = server.powershellVersion;
  if (powershell !== undefined && Number.parseInt(powershell, 10) !== 2)
    run.fail(
      'PRECHECK_POWERSHELL_VERSION',
      Number.parseInt(powershell, 10) < 2
        ? `${run.name} runs Windows PowerShell ${powershell}; install Windows Management Framework 2.0 (KB 968930) first`
        : `${run.name} runs Windows PowerShell ${powershell}: WMF 3.0 or later breaks Exchange 2007 rollup installs (80070643); remove it first`,
      details,
    );
  if (host.elevated === false)
    run.fail(
      'PRECHECK_NOT_ELEVATED',
      `the agent's session on ${run.name} is not elevated (UAC): msiexec, services and the registry need an administrator's token`,
      details,
    );
  if (host.pendingReboot === true)
    run.fail(
      'PRECHECK_PENDING_REBOOT',
      `${run.name} has a restart pending; restart it first, or the installer may find files locked`,
      details,
    );
  const freeMb = host.systemDriveFreeMb ?? 0;
  if (freeMb < args.minFreeMb)
    run.fail(
      'PRECHECK_DISK_SPACE',
      `${run.name} has ${freeMb} MB free on the system drive; the install needs ${args.minFreeMb} MB`,
      details,
    );
  if (args.package) checkPackage(run, args.package);
  return details;
}

function describe(build: string): string {
  const identity = identifyBuild(build);
  return identity.kind === 'release' ? `${build} (${releaseLabel(identity.release)})` : build;
}
