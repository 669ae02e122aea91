import { lineOfBuild, type StepArgs, type StepDetails, sameBuild, tryParseBuild } from '@exrollout/core';
import { StepFailedError } from '../../../errors.js';
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
  if (sameBuild(run.host.current.server.build, args.targetBuild)) {
    run.progress(`update ${kbOf(args.package.file, args.targetBuild)} is already installed`, 100);
    return result(run, logPathOf(kbOf(args.package.file, args.targetBuild)));
  }
  checkPackage(run, args.package);
  // Hooks and the revocation switch frame msiexec alone: nothing is disabled for an install that will not run.
  const hooksRun: string[] = [];
  runHooks(run, 'before', args.hooks?.before ?? [], hooksRun);
  const previous = run.host.behaviour.crlCheckState;
  // Turned off for msiexec alone, and put back whatever msiexec did (KB 944752's CRL waits, during the install).
  if (args.crlCheckOff) run.progress(`publisher revocation check off for the install (was ${previous})`);
  let outcome: StepDetails | StepFailedError;
  try {
    outcome = await installPackage(run, args);
  } catch (error) {
    if (!(error instanceof StepFailedError)) throw error;
    outcome = error;
  }
  const afterFailure = tryHooks(run, 'after', args.hooks?.after ?? [], hooksRun);
  const extra: StepDetails = {
    ...(args.crlCheckOff ? { crlCheck: { previous, restored: true } } : {}),
    ...(hooksRun.length > 0 ? { hooksRun } : {}),
  };
  if (outcome instanceof StepFailedError) {
    const message = afterFailure ? `${outcome.message}; and ${afterFailure.message}` : outcome.message;
    throw new StepFailedError(outcome.code, message, { ...outcome.details, ...extra }, { cause: outcome });
  }
  if (afterFailure)
    throw new StepFailedError(afterFailure.code, afterFailure.message, { ...outcome, ...extra });
  return { ...outcome, ...extra };
}

/**
 * @internal Runs the administrator's hooks of one phase from the (simulated) hooks folder, in order; the first
 * that is missing or fails stops the step before msiexec runs.
 */
function runHooks(run: StepRun, phase: 'before' | 'after', names: readonly string[], ran: string[]): void {
  const failure = tryHooks(run, phase, names, ran);
  const build = run.host.current.server.build;
  if (failure)
    throw new StepFailedError(failure.code, failure.message, {
      ...(ran.length > 0 ? { hooksRun: ran } : {}),
      build,
    });
}

function tryHooks(
  run: StepRun,
  phase: 'before' | 'after',
  names: readonly string[],
  ran: string[],
): { code: 'HOOK_NOT_FOUND' | 'HOOK_FAILED'; message: string } | undefined {
  const when = phase === 'before' ? 'before msiexec: nothing was installed' : 'after msiexec';
  for (const name of names) {
    const hook = run.host.behaviour.hooks[name];
    if (hook === undefined)
      return { code: 'HOOK_NOT_FOUND', message: `hook ${name} is not in the agent's hooks folder (${when})` };
    run.progress(`hook ${phase}:${name}`);
    ran.push(`${phase}:${name}`);
    if (hook === 'fails') return { code: 'HOOK_FAILED', message: `hook ${name} failed ${when}` };
  }
  return undefined;
}

async function installPackage(run: StepRun, args: StepArgs['install']): Promise<StepDetails> {
  const kb = kbOf(args.package.file, args.targetBuild);
  const logPath = logPathOf(kb);
  const label = `installing ${args.package.file}`;
  checkApplies(run, args.package.file, logPath);
  failWhileBusy(run, 'INSTALLER_BUSY', logPath);
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
    } else if (run.host.behaviour.restartExitCode !== undefined)
      // msiexec 3010: files in use are replaced at the next boot (PendingFileRenameOperations).
      state.host = { ...state.host, pendingReboot: true };
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
