import { type StepArgs, type StepDetails, stageFreeBytes } from '@exrollout/core';
import { StepFailedError } from '../../../errors.js';
import type { StepRun } from '../run.js';
import { checkPackage } from './package.js';

const MIB = 1_048_576;
const SLICES = 10;

/**
 * @internal Stages the package into the package directory as the agent would from the server's store: skips a
 * verified file, needs room for it and twice it again (STAGE_DISK_FULL), takes size / bandwidth of simulated time,
 * resumes after a cut halfway, and fails as a real download can (STAGE_SERVER_UNREACHABLE, PACKAGE_HASH_MISMATCH).
 */
export async function stage(run: StepRun, args: StepArgs['stage']): Promise<StepDetails> {
  run.enforce();
  const { file, sha256 } = args.package;
  // A package given by hash only (staged by other means) comes with no size: it is checked, not downloaded.
  const size = args.size ?? 0;
  const onHost = run.host.current.stagedPackages[file] ?? run.host.behaviour.packages?.[file];
  if (onHost === sha256 || !args.fromStore || size === 0) {
    if (onHost !== sha256) checkStaged(run, args.package);
    run.progress(`${file} is already in the package directory, verified`, 100);
    return { staged: { bytes: size, skipped: true, resumedFrom: 0 } };
  }
  const freeMb = run.host.current.host.systemDriveFreeMb ?? 0;
  if (freeMb * MIB < stageFreeBytes(size, 0))
    run.fail(
      'STAGE_DISK_FULL',
      `${run.name} has ${freeMb} MB free; ${file} needs ${Math.ceil(size / MIB)} MB and the install twice that again`,
    );
  const { staging } = run.host.behaviour;
  if (staging.failure === 'unreachable')
    run.fail('STAGE_SERVER_UNREACHABLE', `${run.name} cannot reach the exrollout server to download ${file}`);
  const resumedFrom = await download(run, file, size);
  if (staging.failure === 'hash-mismatch')
    run.fail(
      'PACKAGE_HASH_MISMATCH',
      `${file} as downloaded on ${run.name} is not ${sha256}; it was deleted, not kept`,
    );
  run.host.change((state) => {
    state.stagedPackages = { ...state.stagedPackages, [file]: sha256 };
    state.host = { ...state.host, systemDriveFreeMb: freeMb - Math.ceil(size / MIB) };
  });
  return { staged: { bytes: size, skipped: false, resumedFrom } };
}

/** Lets the download's time pass slice by slice with progress; a cut halfway resumes from there. Returns where it resumed. */
async function download(run: StepRun, file: string, size: number): Promise<number> {
  const { bytesPerMs, cutHalfway } = run.host.behaviour.staging;
  const slice = size / SLICES;
  let resumedFrom = 0;
  for (let done = 1; done <= SLICES; done++) {
    if (Number.isFinite(bytesPerMs)) await run.wait(slice / bytesPerMs);
    const bytes = Math.round(done * slice);
    run.progress(`Staging ${file}: ${done * 10}% (${mb(bytes)} of ${mb(size)})`, done * 10);
    if (cutHalfway && resumedFrom === 0 && done === SLICES / 2) {
      resumedFrom = bytes;
      run.progress(`Staging ${file}: the connection was cut at 50%; resuming from ${mb(bytes)}`, 50);
    }
  }
  return resumedFrom;
}

// The PowerShell driver's stage script reads the package alone, not the build: its failures carry no details.
function checkStaged(run: StepRun, pkg: StepArgs['stage']['package']): void {
  try {
    checkPackage(run, pkg);
  } catch (error) {
    if (error instanceof StepFailedError) throw new StepFailedError(error.code, error.message);
    throw error;
  }
}

const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
