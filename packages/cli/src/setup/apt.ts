import { execFile } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';
import { InstallFailedError } from '../errors.js';
import { executable, type SetupEnv } from './host.js';
import { restoreService, serviceState } from './service.js';

const run = promisify(execFile);

/** What an install did. */
export interface Installed {
  readonly seconds: number;
  /** The package was installed before (its command just was not on the PATH): apt-get changed nothing. */
  readonly already: boolean;
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
  const already = await isInstalled(pkg, options.env);
  const before = options.service ? serviceState(options.service) : undefined;
  const apt = (args: readonly string[]) =>
    privileged(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], options);
  // --no-upgrade: a package that is there already (just not on the PATH) stays the version it is.
  const install = ['install', '-y', '-qq', '--no-upgrade', pkg];
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
  return { seconds: (Date.now() - started) / 1000, already, serviceUndone };
}

/** The command `name` a Debian package installed in a bin or sbin folder (`dpkg-query -L`), or undefined. */
export async function packageExecutable(
  pkg: string,
  name: string,
  env: SetupEnv,
): Promise<string | undefined> {
  try {
    const { stdout } = await run('dpkg-query', ['-L', pkg], { env: { ...env } });
    return stdout
      .split('\n')
      .filter((path) => basename(path) === name && /\/s?bin$/.test(dirname(path)))
      .find((path) => executable(path) !== undefined);
  } catch {
    return undefined;
  }
}

async function isInstalled(pkg: string, env: SetupEnv): Promise<boolean> {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    const { stdout } = await run('dpkg-query', ['-W', '-f', '${Status}', pkg], { env: { ...env } });
    return stdout.trim() === 'install ok installed';
  } catch {
    return false;
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
