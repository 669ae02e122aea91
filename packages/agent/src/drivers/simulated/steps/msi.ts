import { sameBuild, UPDATE_CATALOG } from '@exrollout/core';
import type { StepRun } from '../run.js';

/** @internal The KB number of an update package: from its file name, else from the catalog's target build. */
export function kbOf(file: string, targetBuild: string): string {
  const fromName = /KB(\d{6,7})/i.exec(file)?.[1];
  const fromCatalog = UPDATE_CATALOG.find((update) => sameBuild(update.targetBuild, targetBuild))?.kb;
  return fromName ?? fromCatalog ?? file.replace(/\.msp$/i, '');
}

/** @internal Where the simulated msiexec writes its verbose log (reference part 2: KB959241.log). */
export function logPathOf(kb: string): string {
  return `C:\\ExchangeSetupLogs\\KB${kb}.log`;
}

/** @internal Lets one quarter of an msiexec run pass, then reports its percentage. */
export async function quarter(run: StepRun, label: string, percent: 25 | 50 | 75): Promise<void> {
  await run.wait(run.host.behaviour.installMs / 4);
  run.progress(`${label}: ${percent}%`, percent);
}

/**
 * @internal Windows Installer runs one installation at a time: while the host's busy runs last, msiexec answers
 * 1618 and changes nothing; the step fails with `code`.
 */
export function failWhileBusy(
  run: StepRun,
  code: 'INSTALLER_BUSY' | 'IU_REMOVAL_FAILED',
  logPath: string,
): void {
  if (run.host.current.msiBusyRunsLeft <= 0) return;
  run.host.change((state) => {
    state.msiBusyRunsLeft -= 1;
  });
  run.fail(
    code,
    `msiexec exited with 1618 on ${run.name}: another installation is already in progress; wait for it to finish and run the step again`,
    { build: run.host.current.server.build, logPath },
  );
}
