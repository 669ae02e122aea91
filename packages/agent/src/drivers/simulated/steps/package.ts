import type { PackageRef } from '@exrollout/core';
import type { StepRun } from '../run.js';

/**
 * @internal Checks the package before anything runs it: on the host (PACKAGE_MISSING), with the SHA-256 given
 * (PACKAGE_HASH_MISMATCH), and for the host's processor (PACKAGE_WRONG_ARCHITECTURE, reference part 2).
 */
export function checkPackage(run: StepRun, pkg: PackageRef): void {
  const { server, host } = run.host.current;
  const details = { build: server.build };
  const { packages } = run.host.behaviour;
  const actual =
    run.host.current.stagedPackages[pkg.file] ?? (packages === undefined ? pkg.sha256 : packages[pkg.file]);
  if (actual === undefined)
    run.fail('PACKAGE_MISSING', `${pkg.file} is not in the package directory of ${run.name}`, details);
  if (actual !== pkg.sha256)
    run.fail(
      'PACKAGE_HASH_MISMATCH',
      `${pkg.file} on ${run.name} has SHA-256 ${actual}, not ${pkg.sha256}; it was not run: fetch the package again`,
      details,
    );
  const architecture = /-(x64|x86)-/i.exec(pkg.file)?.[1]?.toLowerCase();
  if (architecture !== undefined && architecture !== host.architecture)
    run.fail(
      'PACKAGE_WRONG_ARCHITECTURE',
      `${pkg.file} is for ${architecture} and ${run.name} is ${host.architecture}: "the version of this file is ` +
        `not compatible with the version of Exchange Server 2007 that you're running"`,
      details,
    );
}
