import { assertExhaustive, type StepArgs, StepDetails } from '@exrollout/core';
import { StepFailedError } from '../../../errors.js';
import type { StepRequest } from '../args.js';
import { msiExitAdvice } from '../codes.js';
import type { ExrOutput } from '../exr-format.js';
import { checkBuild, checkClusterGroupOwner, checkCmsActive, checkNoInterimUpdates } from './checks.js';
import { judgePrecheck } from './precheck.js';
import { checkAgainst, clip, readValues, type ValueReader } from './read.js';

/** The keys each step script emits besides the common ones (status, error, progress). */
export const STEP_KEYS: Readonly<Record<StepRequest['step'], ReadonlySet<string>>> = {
  stage: keys('package.path package.sha256 package.missing'),
  precheck: keys(
    'build reboot.fileRenames reboot.cbs reboot.windowsUpdate host.freeMb host.architecture host.os host.powershellVersion host.elevated host.dotNet20Sp1 package.path package.sha256 package.missing',
  ),
  'backup-owa': keys('build owa.backup owa.folder owa.files owa.method owa.changedCount owa.changed'),
  'move-cms': keys('cms.alreadyOnTarget ccr.copy cluster.resource cms.state cluster.machine'),
  'move-cluster-group': keys('cluster.groupName cluster.output cluster.groupStatus'),
  'remove-interim-updates': keys(
    'iu.absent iu.removed patch patch.cache patch.code msi.log msi.exitCode msi.failure msi.customAction msi.rebootRequired build',
  ),
  install: keys(
    'package.sha256 build.before install.skipped msi.log msi.exitCode msi.failure msi.customAction msi.rebootRequired build crl.previous crl.restored hook.ran hook.output hook.afterFailure',
  ),
  restart: keys('build restart.bootTime restart.output restart.requested restart.bootedAt'),
  verify: keys(
    'build service.initiallyStopped service.startError service.stopped remedy.config remedy.skipped',
  ),
  'restore-owa': keys('build owa.backup owa.folder owa.restored'),
  uninstall: keys(
    'patch.name patch.cache patch.code msi.log msi.exitCode msi.failure msi.customAction msi.rebootRequired uninstall.skipped build',
  ),
};

// stage: the package must be in the folder with its SHA-256; what the driver then reports is `staged`.
function checkStaged(args: StepArgs['stage'], values: ValueReader, details: StepDetails): void {
  const missing = values.one('package.missing');
  if (missing !== undefined)
    throw new StepFailedError(
      'PACKAGE_MISSING',
      `${missing} does not exist: upload it to the server's store, or stage it there by other means`,
      details,
    );
  const actual = values.one('package.sha256')?.toLowerCase();
  if (actual !== args.package.sha256)
    throw new StepFailedError(
      'PACKAGE_HASH_MISMATCH',
      `${values.one('package.path') ?? args.package.file} has SHA-256 ${actual}, not ${args.package.sha256}`,
      details,
    );
}

function keys(list: string): ReadonlySet<string> {
  return new Set(list.split(' '));
}

/**
 * Turns a step script's output into StepDetails, or throws StepFailedError: with the script's own code when
 * it stopped, or with the code of the first check its facts fail (build, services, cluster owner, precheck).
 */
export function stepOutcome(request: StepRequest, output: ExrOutput): StepDetails {
  const values = readValues(output);
  const details = checkAgainst(StepDetails, detailsOf(values), 'step details');
  if (output.error) {
    const afterHook = values.one('hook.afterFailure');
    const failure = [output.error.message || `${request.step} failed`, afterHook]
      .filter(Boolean)
      .join('; and ');
    throw new StepFailedError(output.error.code, withMsiHint(failure, values), details);
  }
  judge(request, values, details);
  // Only a move that happened names where it went.
  const movedTo = movedToOf(request);
  return movedTo === undefined ? details : { ...details, movedTo };
}

function detailsOf(values: ValueReader): StepDetails {
  const build = values.one('build');
  const backupPath = values.one('owa.backup');
  const logPath = values.one('msi.log');
  const removed = values.all('iu.removed');
  const stopped = values.all('service.stopped');
  const reboot = values.bool('msi.rebootRequired');
  const started = servicesStarted(values, stopped);
  const restartedAt = values.one('restart.bootedAt');
  const remedyFiles = values.all('remedy.config');
  const hooksRun = values.all('hook.ran');
  return {
    ...(restartedAt === undefined ? {} : { restartedAt }),
    ...crlCheckOf(values),
    ...(hooksRun.length > 0 ? { hooksRun: hooksRun.slice(0, 20) } : {}),
    ...(build === undefined ? {} : { build }),
    ...(backupPath === undefined ? {} : { backupPath: clip(backupPath, 512) }),
    ...(removed.length > 0 ? { removed: removed.slice(0, 100) } : {}),
    ...(reboot === undefined ? {} : { rebootRequired: reboot }),
    ...(stopped.length > 0 ? { servicesStopped: stopped.slice(0, 100) } : {}),
    ...(started.length > 0 ? { servicesStarted: started.slice(0, 100) } : {}),
    ...(remedyFiles.length > 0
      ? { remedyKb944752Applied: true, remedyFiles: remedyFiles.slice(0, 100).map((file) => clip(file, 512)) }
      : {}),
    ...owaFilesOf(values),
    ...(logPath === undefined ? {} : { logPath: clip(logPath, 512) }),
  };
}

// backup-owa counts the customised files it found; restore-owa names each file it put back.
function owaFilesOf(values: ValueReader): Pick<StepDetails, 'owaFiles'> {
  const found = values.int('owa.changedCount');
  if (found !== undefined) return { owaFiles: found };
  const restored = values.all('owa.restored');
  return restored.length > 0 ? { owaFiles: restored.length } : {};
}

// install: the revocation check it turned off, and whether the finally block put the previous setting back.
function crlCheckOf(values: ValueReader): Pick<StepDetails, 'crlCheck'> {
  const previous = values.one('crl.previous');
  if (previous === undefined) return {};
  return { crlCheck: { previous: clip(previous, 32), restored: values.bool('crl.restored') === true } };
}

// verify: the services stopped when it began that no longer are (started plainly or after the KB 944752 remedy).
function servicesStarted(values: ValueReader, stillStopped: readonly string[]): string[] {
  const stopped = new Set(stillStopped.map((name) => name.toLowerCase()));
  return values.all('service.initiallyStopped').filter((name) => !stopped.has(name.toLowerCase()));
}

function movedToOf(request: StepRequest): string | undefined {
  if (request.step === 'move-cms' || request.step === 'move-cluster-group') return request.args.targetNode;
  return undefined;
}

/**
 * Adds what to do about msiexec's exit code, and the custom action that failed (or else the first "Return Value 3"
 * line of the MSI log), which names the cause.
 */
function withMsiHint(message: string, values: ValueReader): string {
  const exit = values.int('msi.exitCode');
  const advice = exit === undefined ? undefined : msiExitAdvice(exit);
  const [action] = values.all('msi.customAction');
  const [failure] = values.all('msi.failure');
  const cause = action ?? failure;
  return [message, advice, cause && `First failure in the MSI log: ${cause}`].filter(Boolean).join('. ');
}

function judge(request: StepRequest, values: ValueReader, details: StepDetails): void {
  switch (request.step) {
    case 'stage':
      checkStaged(request.args, values, details);
      break;
    case 'precheck':
      judgePrecheck(request.args, values, details);
      break;
    case 'move-cms':
      checkCmsActive(request.args, values, details);
      break;
    case 'move-cluster-group':
      checkClusterGroupOwner(request.args.targetNode, values, details);
      break;
    case 'install':
    case 'verify':
      checkBuild(request.args.targetBuild, 'the target build', details);
      break;
    case 'uninstall':
      checkBuild(request.args.expectedBuild, 'the build recorded before the install', details);
      break;
    case 'remove-interim-updates':
      checkNoInterimUpdates(values, details);
      break;
    case 'restart':
      if (details.restartedAt === undefined)
        throw new StepFailedError(
          'RESTART_FAILED',
          'the restart script ended without a boot time after the restart',
          details,
        );
      break;
    case 'backup-owa':
    case 'restore-owa':
      break;
    default:
      assertExhaustive(request);
  }
}
