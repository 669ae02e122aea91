import { DriverError } from '../../errors.js';
import { hasControlCharacter, isWindowsPath, psLiteral } from './literal.js';
import type { PowerShellRunner, RunOptions, RunResult } from './runner.js';
import { EXR_VALUE_FUNCTION } from './scripts/prelude.js';

/** The managed server and, optionally, the account the agent uses for it (one identity per server). */
export interface RemoteTarget {
  /** NetBIOS name or FQDN of the Exchange server. */
  readonly computerName: string;
  readonly credential?: {
    /** `DOMAIN\user` or `user@domain`. */
    readonly user: string;
    /** File holding the password as `ConvertFrom-SecureString` wrote it (DPAPI, this account and machine). */
    readonly passwordFile: string;
  };
}

/** Environment variables the remote credential is read from. */
export const REMOTE_ENV = {
  user: 'EXROLLOUT_PS_USER',
  passwordFile: 'EXROLLOUT_PS_PASSWORD_FILE',
} as const;

const HOST = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;
const USER =
  /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\[^\\/"'[\]:;|=,+*?<>@\u2018-\u201b]{1,104}|[^\\/"'\s@\u2018-\u201b]{1,104}@[A-Za-z0-9.-]{1,253})$/;

/** Builds a RemoteTarget for `computerName` with the credential named in the environment, if any. */
export function remoteTargetFromEnv(
  computerName: string,
  env: NodeJS.ProcessEnv = process.env,
): RemoteTarget {
  const user = env[REMOTE_ENV.user];
  const passwordFile = env[REMOTE_ENV.passwordFile];
  if ((user === undefined) !== (passwordFile === undefined))
    throw configError(`set both ${REMOTE_ENV.user} and ${REMOTE_ENV.passwordFile}, or neither`);
  return checkRemoteTarget({
    computerName,
    ...(user === undefined || passwordFile === undefined ? {} : { credential: { user, passwordFile } }),
  });
}

/** Checks a target's computer name, user and password file path; throws AGENT_ERR_DRIVER_CONFIG. */
export function checkRemoteTarget(target: RemoteTarget): RemoteTarget {
  if (!HOST.test(target.computerName))
    throw configError(`the computer name ${JSON.stringify(target.computerName)} is not a host name or FQDN`);
  const credential = target.credential;
  if (credential && (hasControlCharacter(credential.user) || !USER.test(credential.user)))
    throw configError(`the user ${JSON.stringify(credential.user)} is not DOMAIN\\user or user@domain`);
  if (credential && !isWindowsPath(credential.passwordFile))
    throw configError(
      `the password file ${JSON.stringify(credential.passwordFile)} is not an absolute Windows path`,
    );
  return Object.freeze({ ...target });
}

/**
 * Wraps a script in `Invoke-Command -ComputerName <name> [-Credential ...] -ScriptBlock { ... }`. A failure to
 * reach the server is reported as `EXR|transport.error|...`, which the driver turns into a DriverError.
 */
export function wrapRemote(script: string, target: RemoteTarget): string {
  const credential = target.credential;
  const lines = [
    "$ErrorActionPreference = 'Stop'",
    EXR_VALUE_FUNCTION,
    'try {',
    ...(credential
      ? [
          `  $exrPassword = Get-Content -LiteralPath ${psLiteral(credential.passwordFile)} | Select-Object -First 1 | ConvertTo-SecureString`,
          `  $exrCredential = New-Object System.Management.Automation.PSCredential(${psLiteral(credential.user)}, $exrPassword)`,
        ]
      : []),
    `  Invoke-Command -ComputerName ${psLiteral(target.computerName)}${credential ? ' -Credential $exrCredential' : ''} -ErrorAction Stop -ScriptBlock {`,
    script,
    '  }',
    '} catch {',
    "  Write-Output ('EXR|transport.error|' + (ConvertTo-ExrValue $_.Exception.Message))",
    '}',
    '',
  ];
  return lines.join('\n');
}

/** Runs scripts on a managed server over WinRM, through a PowerShell process on the management host. */
export class RemotePowerShellRunner implements PowerShellRunner {
  readonly target: string;
  readonly #remote: RemoteTarget;
  readonly #local: PowerShellRunner;

  /** `local` runs the wrapped script on this machine, normally a LocalPowerShellRunner. */
  constructor(target: RemoteTarget, local: PowerShellRunner) {
    this.#remote = checkRemoteTarget(target);
    this.#local = local;
    this.target = `remote:${target.computerName}`;
  }

  /** Runs the script on the managed server. */
  run(script: string, options: RunOptions): Promise<RunResult> {
    return this.#local.run(wrapRemote(script, this.#remote), options);
  }
}

function configError(message: string): DriverError {
  return new DriverError('AGENT_ERR_DRIVER_CONFIG', message);
}
