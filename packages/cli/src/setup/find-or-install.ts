import { InstallFailedError, ToolMissingError } from '../errors.js';
import { aptInstall, packageExecutable } from './apt.js';
import { decideInstall, type Needed } from './decide.js';
import { hostFacts, type SetupEnv } from './host.js';

/** What `findOrInstall` looks for, and what it says. */
export interface FindOrInstall {
  /** The executable's file name, as the package installs it. */
  readonly name: string;
  readonly needed: Needed;
  /** Finds the executable where it is expected (the PATH, a fixed path). */
  readonly find: () => string | undefined;
  /** The package's own service, stopped and disabled again if the install started or enabled it. */
  readonly service?: string;
  readonly env: SetupEnv;
  /** The variable that, set to 1, turns installing off. */
  readonly disableVar: string;
  /** The error code when it is missing and may not be installed. */
  readonly code: 'CLI_ERR_REDIS_MISSING' | 'CLI_ERR_TOOL_MISSING';
  /** Why it is needed, the start of every line said about it ("no Redis answers at ... and no redis-server"). */
  readonly why: string;
  /** Appended to the command when it may not be installed (`or set REDIS_URL ...`). */
  readonly orElse?: string;
  readonly say: (line: string) => void;
}

/**
 * Finds an executable, or installs its Debian package where exrollout may (root or passwordless sudo, apt-get,
 * not turned off), saying so before and how long it took after; elsewhere it throws the one command to run.
 */
export async function findOrInstall(spec: FindOrInstall): Promise<string> {
  const found = spec.find();
  if (found) return found;
  const pkg = spec.needed.debianPackage;
  const decision = decideInstall(spec.needed, hostFacts(spec.env, spec.disableVar));
  if (decision.kind === 'advise')
    throw new ToolMissingError(
      spec.code,
      `${spec.why}: ${decision.command}${spec.orElse ? `, ${spec.orElse}` : ''}`,
    );
  spec.say(
    `${spec.why}: installing ${pkg} with ${decision.sudo ? 'sudo ' : ''}apt-get (${spec.disableVar}=1 turns this off)`,
  );
  const installed = await aptInstall(pkg, {
    sudo: decision.sudo,
    env: spec.env,
    ...(spec.service ? { service: spec.service } : {}),
  });
  const path = spec.find() ?? (await packageExecutable(pkg, spec.name, spec.env));
  if (!path)
    throw new InstallFailedError(
      pkg,
      `apt-get install ${pkg}`,
      `it installed no executable named ${spec.name}`,
    );
  const undone =
    installed.serviceUndone.length > 0
      ? `; its own ${spec.service} service ${installed.serviceUndone.join(' and ')} again`
      : '';
  const seconds = installed.seconds.toFixed(1);
  spec.say(
    installed.already
      ? `${pkg} was installed already, only not on the PATH (apt-get changed nothing, ${seconds} s): ${path}`
      : `installed ${pkg} in ${seconds} s: ${path}${undone}`,
  );
  return path;
}
