import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { HostFacts } from './decide.js';

/** The environment the setup reads: PATH, HOME and the switches that turn installing off. */
export type SetupEnv = Readonly<Record<string, string | undefined>>;

/** The absolute path of an executable file, or undefined. */
export function executable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Where `name` is on the PATH of `env` (as a shell would find it), or undefined. */
export function findOnPath(name: string, env: SetupEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const found = dir ? executable(join(dir, name)) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** Reads the facts `decideInstall` needs from this machine; `disableVar` names the switch that turns it off. */
export function hostFacts(env: SetupEnv, disableVar: string): HostFacts {
  const root = process.getuid?.() === 0;
  const aptGet = findOnPath('apt-get', env) !== undefined;
  const sudo =
    !root && aptGet && findOnPath('sudo', env) !== undefined
      ? spawnSync('sudo', ['-n', 'true'], { env: { ...env }, stdio: 'ignore', timeout: 5000 }).status === 0
      : false;
  return { platform: process.platform, root, aptGet, sudo, installDisabled: env[disableVar] === '1' };
}
