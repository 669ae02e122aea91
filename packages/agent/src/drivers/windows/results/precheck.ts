import {
  KB959241,
  lineOfBuild,
  type StepArgs,
  type StepDetails,
  sameBuild,
  tryParseBuild,
} from '@exrollout/core';
import { StepFailedError } from '../../../errors.js';
import type { ValueReader } from './read.js';
import { architectureOf, pendingReboot } from './snapshot.js';

type Failure = readonly [code: string, message: string] | undefined;

/**
 * Judges the precheck facts in order: Exchange line, build, pending reboot, disk space, then the package
 * (staged, SHA-256, architecture). Throws StepFailedError with the first failing check's code.
 */
export function judgePrecheck(args: StepArgs['precheck'], values: ValueReader, details: StepDetails): void {
  const checks: (() => Failure)[] = [
    () => lineCheck(details.build),
    () =>
      details.build !== undefined && sameBuild(details.build, args.expectedBuild)
        ? undefined
        : [
            'PRECHECK_BUILD_CHANGED',
            `the server is on ${details.build}, not ${args.expectedBuild} as planned`,
          ],
    () => powershellCheck(values.one('host.powershellVersion')),
    () =>
      values.bool('host.elevated') === false
        ? [
            'PRECHECK_NOT_ELEVATED',
            "the agent's PowerShell session is not elevated (UAC): msiexec, services and the registry need an administrator's token; run the agent as SYSTEM or from an elevated account",
          ]
        : undefined,
    () =>
      pendingReboot(values)
        ? [
            'PRECHECK_PENDING_REBOOT',
            'Windows has a restart pending (PendingFileRenameOperations, CBS or Windows Update); restart the server first',
          ]
        : undefined,
    () => diskCheck(values.int('host.freeMb'), args.minFreeMb),
    () => packageCheck(args, values),
  ];
  for (const check of checks) {
    const failure = check();
    if (failure)
      throw new StepFailedError(failure[0], failure[1], {
        ...details,
        rebootRequired: pendingReboot(values),
      });
  }
}

// WMF 3.0 or later on an Exchange 2007 server breaks rollup installs (80070643); the scripts need 2.0.
function powershellCheck(version: string | undefined): Failure {
  const major = version === undefined || version === '' ? 2 : Number.parseInt(version, 10);
  if (major === 2) return undefined;
  return [
    'PRECHECK_POWERSHELL_VERSION',
    major < 2
      ? `the server runs Windows PowerShell ${version}; install Windows Management Framework 2.0 (KB 968930) first`
      : `the server runs Windows PowerShell ${version}: WMF 3.0 or later breaks Exchange 2007 rollup installs (80070643); remove it first`,
  ];
}

function lineCheck(build: string | undefined): Failure {
  const parsed = build === undefined ? undefined : tryParseBuild(build);
  if (parsed && lineOfBuild(parsed) === KB959241.line) return undefined;
  return [
    'PRECHECK_NOT_SP1',
    `the server is on ${build ?? 'an unreadable build'}; ${KB959241.id} applies to Exchange 2007 ${KB959241.line} (8.1.x) only`,
  ];
}

function diskCheck(freeMb: number | undefined, minFreeMb: number): Failure {
  if (freeMb !== undefined && freeMb >= minFreeMb) return undefined;
  return [
    'PRECHECK_DISK_SPACE',
    `the system drive has ${freeMb ?? 'an unknown number of'} MB free; at least ${minFreeMb} MB are needed`,
  ];
}

function packageCheck(args: StepArgs['precheck'], values: ValueReader): Failure {
  const pkg = args.package;
  if (pkg === undefined) return undefined;
  const missing = values.one('package.missing');
  if (missing !== undefined)
    return ['PACKAGE_MISSING', `${missing} does not exist: stage the package there first`];
  const actual = values.one('package.sha256');
  if (actual?.toLowerCase() !== pkg.sha256)
    return [
      'PACKAGE_HASH_MISMATCH',
      `${pkg.file} has SHA-256 ${actual ?? 'unknown'}, expected ${pkg.sha256}`,
    ];
  const arch = architectureOf(values.one('host.architecture'));
  const packageArch = /-(x64|x86)-/i.exec(pkg.file)?.[1]?.toLowerCase();
  if (arch !== undefined && packageArch !== undefined && packageArch !== arch)
    return ['PACKAGE_WRONG_ARCHITECTURE', `${pkg.file} is for ${packageArch}; this server is ${arch}`];
  return undefined;
}
