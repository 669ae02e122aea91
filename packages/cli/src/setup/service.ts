import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** Whether a system service runs and starts at boot. */
export interface ServiceState {
  readonly running: boolean;
  readonly enabled: boolean;
}

/** Runs a privileged command (through sudo where needed). */
export type Privileged = (args: readonly string[]) => Promise<unknown>;

const SYSTEMD = '/run/systemd/system';

/** The state of a service under systemd (when it is PID 1) or the Debian init scripts. */
export function serviceState(name: string): ServiceState {
  if (existsSync(SYSTEMD))
    return {
      running: ok('systemctl', ['is-active', '--quiet', name]),
      enabled: ok('systemctl', ['is-enabled', '--quiet', name]),
    };
  const script = `/etc/init.d/${name}`;
  if (!existsSync(script)) return { running: false, enabled: false };
  return { running: ok(script, ['status']), enabled: startsAtBoot(name) };
}

/** Stops and disables a service again if it was not running or enabled `before`; returns what it undid. */
export async function restoreService(
  name: string,
  before: ServiceState,
  privileged: Privileged,
): Promise<string[]> {
  const after = serviceState(name);
  const undone: string[] = [];
  const systemd = existsSync(SYSTEMD);
  if (after.running && !before.running) {
    await privileged(systemd ? ['systemctl', 'stop', name] : [`/etc/init.d/${name}`, 'stop']);
    undone.push('stopped');
  }
  if (after.enabled && !before.enabled) {
    await privileged(systemd ? ['systemctl', 'disable', '--quiet', name] : ['update-rc.d', name, 'disable']);
    undone.push('disabled');
  }
  return undone;
}

function ok(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

function startsAtBoot(name: string): boolean {
  try {
    return readdirSync('/etc/rc2.d').some((link) => new RegExp(`^S\\d\\d${name}$`).test(link));
  } catch {
    return false;
  }
}
