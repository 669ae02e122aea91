import { type StepArgs, type StepDetails, sameBuild, UPDATE_CATALOG } from '@exrollout/core';
import type { StepRun } from '../run.js';
import type { InstalledUpdate } from '../state.js';
import { logPathOf, quarter } from './msi.js';

/**
 * @internal Removes an update as `msiexec /package {ProductCode} /uninstall {PatchCode}` would: refused when the
 * update is not registered or its cached .msp is gone; otherwise the build goes back to the one the install
 * replaced (or, for a host described as already updated, to `expectedBuild`), which must be `expectedBuild`.
 */
export async function uninstall(run: StepRun, args: StepArgs['uninstall']): Promise<StepDetails> {
  const logPath = logPathOf(args.kb);
  const record = checkRemovable(run, args, logPath);
  const label = `removing update ${args.kb}`;
  await quarter(run, label, 25);
  await quarter(run, label, 50);
  run.enforce();
  await quarter(run, label, 75);
  await run.wait(run.host.behaviour.installMs / 4);
  const restored = record?.previousBuild ?? args.expectedBuild;
  run.host.change((state) => {
    state.installedUpdates = state.installedUpdates.filter((update) => update.kb !== args.kb);
    state.server.build = restored;
  });
  run.progress(`${label}: 100%`, 100);
  if (!sameBuild(restored, args.expectedBuild))
    run.fail(
      'BUILD_MISMATCH',
      `update ${args.kb} was removed, but ${run.name} now runs ${restored}, not ${args.expectedBuild} as recorded before the install`,
      { build: restored, logPath },
    );
  return { build: restored, logPath, rebootRequired: false };
}

/** The install record of the update, if this host made one; fails when msiexec would refuse the removal. */
function checkRemovable(
  run: StepRun,
  args: StepArgs['uninstall'],
  logPath: string,
): InstalledUpdate | undefined {
  const { server, installedUpdates } = run.host.current;
  const details = { build: server.build, logPath };
  const update = UPDATE_CATALOG.find((entry) => entry.kb === args.kb);
  const record = installedUpdates.find((entry) => entry.kb === args.kb);
  const registered =
    record !== undefined || (update !== undefined && sameBuild(server.build, update.targetBuild));
  const sameProduct =
    update === undefined || update.productCode.toUpperCase() === args.productCode.toUpperCase();
  if (!registered || !sameProduct || run.host.behaviour.uninstallBlocked === 'patch-not-registered')
    run.fail(
      'PATCH_NOT_INSTALLED',
      `update ${args.kb} is not registered as installed for product ${args.productCode} on ${run.name} ` +
        `(build ${server.build}); there is nothing to remove`,
      details,
    );
  if (run.host.behaviour.uninstallBlocked === 'cache-missing')
    run.fail(
      'PATCH_CACHE_MISSING',
      `the cached .msp of update ${args.kb} is missing from the Windows Installer cache (%WINDIR%\\Installer) on ` +
        `${run.name}; msiexec cannot remove the update without it: put the original .msp back and retry`,
      details,
    );
  return record;
}
