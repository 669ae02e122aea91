import { lineOfBuild, type StepArgs, type StepDetails, sameBuild, tryParseBuild } from '@exrollout/core';
import type { HostInterruption } from '../events.js';
import type { StepRun } from '../run.js';
import { failWhileBusy, kbOf, logPathOf, quarter } from './msi.js';
import { checkPackage } from './package.js';
import { managedServices } from './services.js';

/**
 * @internal Installs an update rollup as msiexec would: checks the package, runs for `installSeconds` in four
 * quarters, and only then changes the build, so that a failure or an abort leaves the server as it was (MSI
 * rolls back). A reboot halfway completes the install as the host goes down.
 */
export async function install(run: StepRun, args: StepArgs['install']): Promise<StepDetails> {
  const kb = kbOf(args.package.file, args.targetBuild);
  const logPath = logPathOf(kb);
  const label = `installing ${args.package.file}`;
  if (sameBuild(run.host.current.server.build, args.targetBuild)) {
    run.progress(`update ${kb} is already installed`, 100);
    return result(run, logPath);
  }
  checkPackage(run, args.package);
  checkApplies(run, args.package.file, logPath);
  failWhileBusy(run, 'INSTALL_FAILED', logPath);
  await quarter(run, label, 25);
  await quarter(run, label, 50);
  run.enforce();
  if (run.host.behaviour.installFails === 'services-did-not-stop')
    failServiceStop(run, args.package.file, logPath);
  if (run.host.behaviour.installFails) failReturnValue3(run, args.package.file, logPath);
  if (run.host.behaviour.disconnectDuringInstall) run.host.events.emit('disconnect', interruption(run, 50));
  if (run.host.behaviour.rebootDuringInstall) {
    apply(run, kb, args.targetBuild, true);
    run.host.events.emit('reboot', interruption(run, 50));
    run.progress(`${label}: 100% (completed as the server restarted)`, 100);
    return result(run, logPath);
  }
  await quarter(run, label, 75);
  await run.wait(run.host.behaviour.installMs / 4);
  apply(run, kb, args.targetBuild, false);
  run.progress(`${label}: 100%`, 100);
  return result(run, logPath);
}

/** Fails as Windows Installer does for a patch whose product version is not installed. */
function checkApplies(run: StepRun, file: string, logPath: string): void {
  const { build } = run.host.current.server;
  const parsed = tryParseBuild(build);
  if (!parsed || lineOfBuild(parsed) !== 'SP1')
    run.fail(
      'INSTALL_FAILED',
      `${file} does not apply to ${run.name} (${build}): the upgrade patch cannot be installed because ` +
        'the program to be upgraded may be missing, or the upgrade patch may update a different version of the program',
      { build, logPath },
    );
}

function failReturnValue3(run: StepRun, file: string, logPath: string): never {
  return run.fail(
    'INSTALL_FAILED',
    `msiexec failed to install ${file} on ${run.name} (exit code 1603) and rolled it back; ` +
      `search ${logPath} for "Return Value 3" to find the action that failed`,
    { build: run.host.current.server.build, logPath },
  );
}

function failServiceStop(run: StepRun, file: string, logPath: string): never {
  return run.fail(
    'INSTALL_FAILED',
    `msiexec failed to install ${file} on ${run.name} (exit code 1603): Error 1921, service MSExchangeTransport ` +
      `could not be stopped; stop it by hand or restart the server, then install again (see ${logPath})`,
    { build: run.host.current.server.build, logPath },
  );
}

function apply(run: StepRun, kb: string, targetBuild: string, rebooted: boolean): void {
  const { servicesFailToStart } = run.host.behaviour;
  run.host.change((state) => {
    const previousBuild = state.server.build;
    const before = state.server.owaCustomized;
    state.installedUpdates = [
      ...state.installedUpdates.filter((update) => update.kb !== kb),
      {
        kb,
        build: targetBuild,
        previousBuild,
        ...(before === undefined ? {} : { owaCustomizedBefore: before }),
      },
    ];
    state.server.build = targetBuild;
    // From SP1 RU5 on, a rollup replaces every OWA file, customised or not (reference part 6).
    if (state.server.owaCustomized === true) state.server.owaCustomized = false;
    const stuck = servicesFailToStart && !state.remedyKb944752Applied;
    state.servicesStopped = stuck ? managedServices(state.server.roles) : [];
    if (rebooted) {
      state.reboots += 1;
      state.host = { ...state.host, pendingReboot: false };
    }
  });
}

function interruption(run: StepRun, percent: number): HostInterruption {
  return { server: run.name, commandId: run.context.commandId, step: run.step, percent };
}

function result(run: StepRun, logPath: string): StepDetails {
  return {
    build: run.host.current.server.build,
    logPath,
    rebootRequired: run.host.behaviour.restartExitCode !== undefined,
  };
}
