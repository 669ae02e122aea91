import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InstallFailedError, ToolMissingError } from '../errors.js';
import { executable, findOnPath, type SetupEnv } from './host.js';

/** The PowerShell the tests run the agent's scripts with (7.7.0 does not install as a dotnet tool here). */
export const PWSH_VERSION = '7.6.10';

/** The folder `dotnet tool install --global` puts its commands in. */
export function dotnetToolsDir(env: SetupEnv): string {
  return join(env.HOME || homedir(), '.dotnet', 'tools');
}

/**
 * pwsh on the PATH or in ~/.dotnet/tools, or installed there with `dotnet tool install` when `dotnet` is on
 * the PATH and installing is not turned off; else it throws the one command to run.
 */
export async function findOrInstallPwsh(
  env: SetupEnv,
  disableVar: string,
  say: (line: string) => void,
): Promise<string> {
  const tools = dotnetToolsDir(env);
  const find = () => findOnPath('pwsh', env) ?? executable(join(tools, 'pwsh'));
  const found = find();
  if (found) return found;
  const command = `dotnet tool install --global PowerShell --version ${PWSH_VERSION}`;
  const why = `no pwsh (PowerShell 7.6) on the PATH or in ${tools}`;
  const dotnet = findOnPath('dotnet', env);
  if (!dotnet || env[disableVar] === '1')
    throw new ToolMissingError(
      'CLI_ERR_TOOL_MISSING',
      `${why}: ${dotnet ? '' : 'install the .NET SDK, then '}${command}`,
    );
  say(`${why}: installing it with ${command} (${disableVar}=1 turns this off)`);
  const started = Date.now();
  try {
    await promisify(execFile)(
      dotnet,
      ['tool', 'install', '--global', 'PowerShell', '--version', PWSH_VERSION],
      {
        env: { ...env },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (error) {
    const output =
      String((error as { stdout?: unknown }).stdout ?? '') +
      String((error as { stderr?: unknown }).stderr ?? '');
    throw new InstallFailedError('PowerShell', command, output.trim().split('\n').at(-1) ?? String(error));
  }
  const path = find();
  if (!path) throw new InstallFailedError('PowerShell', command, `no pwsh in ${tools} afterwards`);
  say(`installed PowerShell ${PWSH_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${path}`);
  return path;
}
