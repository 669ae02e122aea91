import { type StepArgs, type StepDetails, sameBuild, UPDATE_CATALOG } from '@exrollout/core';
import type { StepRun } from '../run.js';
import type { InstalledUpdate } from '../state.js';
import { failWhileBusy, logPathOf, quarter } from './msi.js';

const PRODUCTS_KEY =
  'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Installer\\UserData\\S-1-5-18\\Products';

/**
 * @internal Removes an update as `msiexec /package {ProductCode} /uninstall {PatchCode}` would: refused when the
 * update is not registered or its cached .msp is gone; otherwise the build goes back to the one the install
 * replaced (or, for a host described as already updated, to `expectedBuild`), which must be `expectedBuild`.
 * Repeatable: an update that is not registered on a server already on `expectedBuild` (the uninstall already
 * ran, or the update never did) succeeds at once with `{ build }` and changes nothing.
 */
export async function uninstall(run: StepRun, args: StepArgs['uninstall']): Promise<StepDetails> {
  const logPath = logPathOf(args.kb);
  const removal = checkRemovable(run, args);
  if (removal.kind === 'done') {
    run.progress(
      `update ${args.kb} is not installed and ${run.name} already runs ${removal.build}: nothing to remove`,
      100,
    );
    return { build: removal.build };
  }
  failWhileBusy(run, 'INSTALLER_BUSY', logPath);
  const label = `removing update ${args.kb}`;
  await quarter(run, label, 25);
  await quarter(run, label, 50);
  run.enforce();
  await quarter(run, label, 75);
  await run.wait(run.host.behaviour.installMs / 4);
  const restored = removal.record?.previousBuild ?? args.expectedBuild;
  run.host.change((state) => {
    state.installedUpdates = state.installedUpdates.filter((update) => update.kb !== args.kb);
    state.server.build = restored;
    // The old build's OWA folder, with the customisations it held, is served again.
    const before = removal.record?.owaCustomizedBefore;
    if (before !== undefined) state.server.owaCustomized = before;
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

/** What an uninstall finds: the update to remove (with this host's install record, if any), or nothing to do. */
type Removal =
  | { readonly kind: 'remove'; readonly record: InstalledUpdate | undefined }
  | { readonly kind: 'done'; readonly build: string };

/** Fails when msiexec would refuse the removal and the build does not show it already done. */
function checkRemovable(run: StepRun, args: StepArgs['uninstall']): Removal {
  const { server, installedUpdates } = run.host.current;
  // Refused before msiexec runs: no log.
  const details = { build: server.build };
  const update = UPDATE_CATALOG.find((entry) => entry.kb === args.kb);
  const record = installedUpdates.find((entry) => entry.kb === args.kb);
  const registered =
    record !== undefined || (update !== undefined && sameBuild(server.build, update.targetBuild));
  const sameProduct =
    update === undefined || update.productCode.toUpperCase() === args.productCode.toUpperCase();
  if (!registered || !sameProduct || run.host.behaviour.uninstallBlocked === 'patch-not-registered') {
    if (sameBuild(server.build, args.expectedBuild)) return { kind: 'done', build: server.build };
    run.fail(
      'PATCH_NOT_INSTALLED',
      `update ${args.kb} is not registered as installed for product ${args.productCode} on ${run.name}, so ` +
        `msiexec cannot remove it, but the build says otherwise: ${run.name} runs ${server.build}, not ` +
        `${args.expectedBuild} as recorded before the install. Check the file version of <Exchange>\\Bin\\ExSetup.exe ` +
        `and the Patches key of product ${args.productCode} under ${PRODUCTS_KEY} to see what is installed, ` +
        'then roll the server back by hand or plan the rollback again',
      details,
    );
  }
  if (run.host.behaviour.uninstallBlocked === 'cache-missing')
    run.fail(
      'PATCH_CACHE_MISSING',
      `the cached .msp of update ${args.kb} is missing from the Windows Installer cache (%WINDIR%\\Installer) on ` +
        `${run.name}; msiexec cannot remove the update without it. Restore the .msp to the Windows Installer ` +
        "cache from the original package (copy it to the path the patch's LocalPackage value names), then " +
        'retry; or remove the update from Add or Remove Programs by hand, giving it the original .msp when it asks',
      details,
    );
  return { kind: 'remove', record };
}
