import type { StepArgs, StepDetails } from '@exrollout/core';
import { StepFailedError } from '../../errors.js';
import type { StepContext } from '../types.js';
import type { DriverConfig } from './options.js';

/**
 * The stage step of the PowerShell driver, run by the Node agent itself (no script): it downloads the package
 * from the server's store into packageDirectory, in local mode on this host, in remote mode over the managed
 * server's admin share (`\\TARGET\C$\...`) with the account the agent runs as. Both need the agent on Windows.
 */
export async function stageForPowerShell(
  args: StepArgs['stage'],
  config: DriverConfig,
  context: StepContext,
  platform: string = process.platform,
): Promise<StepDetails> {
  if (!args.fromStore) {
    context.progress(`${args.package.file} was staged by other means: precheck checks its SHA-256`, 100);
    return {};
  }
  const directory = stagingDirectory(config.runner.target, config.packageDirectory, platform);
  if (!context.packages)
    throw unsupported('this agent has no connection to an exrollout server to download from');
  const result = await context.packages.download({
    file: args.package.file,
    sha256: args.package.sha256,
    directory,
    signal: context.signal,
    onProgress: (bytes, total) =>
      context.progress(
        `Staging ${args.package.file}: ${bytes} of ${total} bytes`,
        Math.floor((bytes * 100) / total),
      ),
  });
  return {
    staged: {
      bytes: result.size,
      skipped: result.skipped,
      resumedFrom: result.resumedFrom,
      path: result.path,
    },
  };
}

/** Where the package goes as this agent sees it: the folder itself (local), or its admin-share path (remote). */
export function stagingDirectory(target: string, packageDirectory: string, platform: string): string {
  const remote = /^remote:(.+)$/.exec(target)?.[1];
  if (platform !== 'win32')
    throw unsupported(
      remote === undefined
        ? `the agent runs on ${platform}, not on the Exchange server; stage ${packageDirectory} by other means and give the rollout --sha256`
        : `remote mode copies over \\\\${remote}\\${adminShare(packageDirectory)}, an SMB path only an agent on Windows can write; this one runs on ${platform}: stage the package by other means and give the rollout --sha256`,
    );
  return remote === undefined ? packageDirectory : `\\\\${remote}\\${adminShare(packageDirectory)}`;
}

/** `C:\exrollout\packages` as the admin share names it: `C$\exrollout\packages`. */
function adminShare(path: string): string {
  return path.replace(/^([A-Za-z]):\\?/, (_all, drive: string) => `${drive.toUpperCase()}$\\`);
}

function unsupported(why: string): StepFailedError {
  return new StepFailedError('STAGE_UNSUPPORTED', `cannot stage the package: ${why}`);
}
