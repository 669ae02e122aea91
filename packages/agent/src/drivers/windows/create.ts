import { LocalPowerShellRunner } from './local-runner.js';
import { RemotePowerShellRunner, remoteTargetFromEnv } from './remote-runner.js';
import type { PowerShellRunner } from './runner.js';

/** Where the agent's scripts run: on this machine, or on `target` over WinRM. */
export type RunnerChoice = { readonly mode: 'local' } | { readonly mode: 'remote'; readonly target: string };

/** Environment variable naming another PowerShell executable (full path), for hosts where it is not on PATH. */
export const POWERSHELL_EXECUTABLE_ENV = 'EXROLLOUT_POWERSHELL';

/** Builds the runner for a choice; remote mode takes its credential from the environment (REMOTE_ENV). */
export function createPowerShellRunner(
  choice: RunnerChoice,
  env: NodeJS.ProcessEnv = process.env,
): PowerShellRunner {
  const executable = env[POWERSHELL_EXECUTABLE_ENV];
  const local = new LocalPowerShellRunner(executable ? { executable } : {});
  if (choice.mode === 'local') return local;
  return new RemotePowerShellRunner(remoteTargetFromEnv(choice.target, env), local);
}
