import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { InstallFailedError } from '../errors.js';
import { executable, type SetupEnv } from './host.js';
import { restoreService, serviceState } from './service.js';

const run = promisify(execFile);

/** What an install did. */
export interface Installed {
  readonly seconds: number;
  /** What was undone of the package's own service (`stopped`, `disabled`), if the install started or enabled it. */
  readonly serviceUndone: readonly string[];
}

/**
 * Installs a Debian package with apt-get (through `sudo -n` when asked), refreshing the package lists only when
 * the install needs it. A service the package starts or enables is stopped and disabled again: exrollout starts
 * its own private processes, and the machine should not gain a daemon it did not ask for.
 */
export async function aptInstall(
  pkg: string,
  options: { readonly sudo: boolean; readonly service?: string; readonly env: SetupEnv },
): Promise<Installed> {
  const started = Date.now();
  const before = options.service ? serviceState(options.service) : undefined;
  const apt = (args: readonly string[]) =>
    privileged(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], options);
  const install = ['install', '-y', '-qq', pkg];
  try {
    await apt(install).catch(async () => {
      // Stale or missing package lists (a fresh container has none): refresh them once and try again.
      await apt(['update', '-qq']);
      await apt(install);
    });
  } catch (error) {
    throw new InstallFailedError(
      pkg,
      `${options.sudo ? 'sudo ' : ''}apt-get install ${pkg}`,
      lastLine(error),
    );
  }
  const serviceUndone =
    options.service && before
      ? await restoreService(options.service, before, (args) => privileged(args, options))
      : [];
  return { seconds: (Date.now() - started) / 1000, serviceUndone };
}

/** The installed file of a Debian package named `name` that can be run (`dpkg-query -L`), or undefined. */
export async function packageExecutable(
  pkg: string,
  name: string,
  env: SetupEnv,
): Promise<string | undefined> {
  try {
    const { stdout } = await run('dpkg-query', ['-L', pkg], { env: { ...env } });
    return stdout
      .split('\n')
      .filter((path) => basename(path) === name)
      .find((path) => executable(path) !== undefined);
  } catch {
    return undefined;
  }
}

function privileged(args: readonly string[], options: { readonly sudo: boolean; readonly env: SetupEnv }) {
  const [command, ...rest] = options.sudo ? ['sudo', '-n', ...args] : args;
  return run(command ?? 'true', rest, { env: { ...options.env }, maxBuffer: 64 * 1024 * 1024 });
}

function lastLine(error: unknown): string {
  const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  return lines.at(-1) ?? (error instanceof Error ? error.message : String(error));
}
