import type { StepErrorCode } from '../step-errors.js';

/**
 * Every code a PowerShell step can fail with (the names shared with the simulated driver mean the same) (StepFailedError.code, reported in STEP_RESULT), with what it
 * means. Scripts emit them as `EXR|error.code|...`; the parser refuses any code not listed here.
 */
export const POWERSHELL_STEP_ERRORS = {
  INVALID_ARGUMENTS: 'the step arguments broke the step schema; no script was generated or run',
  SCRIPT_ERROR: 'an unexpected PowerShell error outside any step-specific action',
  EXCHANGE_NOT_FOUND:
    'MsiInstallPath or <path>\\Bin\\ExSetup.exe was not found: Exchange 2007 is not installed',
  EXCHANGE_SHELL_UNAVAILABLE:
    'the Exchange snap-in Microsoft.Exchange.Management.PowerShell.Admin did not load',
  PRECHECK_NOT_SP1: 'the server is not on Exchange 2007 SP1 (8.1.x), the only line KB 959241 applies to',
  PRECHECK_PENDING_REBOOT: 'Windows has a reboot pending; restart the server before patching it',
  PRECHECK_BUILD_CHANGED: 'the server is no longer on the build it was planned from',
  PRECHECK_DISK_SPACE: 'the system drive has less free space than the policy asks for',
  PRECHECK_POWERSHELL_VERSION:
    'the server runs Windows PowerShell 1.0 (install WMF 2.0, KB 968930) or 3.0 or later (WMF 3.0+ breaks Exchange 2007 rollups)',
  PRECHECK_NOT_ELEVATED: "the agent's PowerShell session is not elevated (UAC on Windows Server 2008)",
  PACKAGE_MISSING: 'the .msp is not in the package directory',
  PACKAGE_HASH_MISMATCH: 'the .msp does not have the expected SHA-256; it was not run',
  PACKAGE_WRONG_ARCHITECTURE: 'the .msp is for another processor architecture than the server',
  OWA_BACKUP_FAILED: 'the OWA folder could not be copied to the backup directory',
  OWA_RESTORE_FAILED: 'the saved OWA customisations could not be copied back (or no backup exists)',
  CMS_MOVE_FAILED: 'Move-ClusteredMailboxServer failed or the clustered mailbox server is not on the target',
  REPLICATION_UNHEALTHY:
    'CCR: Get-StorageGroupCopyStatus shows a storage group copy not Healthy, or its copy or replay queue over the limit; nothing moved',
  CLUSTER_GROUP_MOVE_FAILED: 'cluster.exe could not move "Cluster Group" to the target node',
  IU_REMOVAL_FAILED: 'msiexec could not uninstall an interim update',
  INSTALL_FAILED: 'msiexec returned an error or the MSI log holds "Return Value 3"',
  INSTALLER_BUSY:
    'msiexec 1618: another installation is in progress (Windows Update, an msiexec still running); the server retries by policy',
  HOOK_NOT_FOUND: "a hook the rollout names is not in the agent's hooks folder (<name>.ps1); nothing ran",
  HOOK_FAILED:
    'a hook ended with a non-zero exit code or an error: before msiexec, nothing was installed; after it, check what the hook should have undone',
  RESTART_FAILED: 'shutdown.exe /r failed, or Windows did not go down within the wait after it',
  CLUSTER_RESOURCES_OFFLINE:
    "SCC: a resource of the clustered mailbox server's cluster group is not online (cluster.exe res); nothing moved",
  SERVICES_NOT_STARTED: 'automatic Exchange services (MSExchange*) are not running after the install',
  BUILD_MISMATCH: 'ExSetup.exe does not have the build the step expected',
  PATCH_NOT_INSTALLED: 'no entry for the update in the Installer Patches key of Exchange 2007',
  PATCH_CACHE_MISSING: "the patch's cached .msp (LocalPackage) is missing from the Windows Installer cache",
  UNINSTALL_FAILED: 'msiexec could not uninstall the update',
  STEP_CANCELLED:
    'the command was cancelled and the PowerShell process stopped; msiexec may still be running',
} as const satisfies Partial<Record<StepErrorCode, string>>;

/** A stable code a PowerShell step fails with. */
export type PowerShellStepErrorCode = keyof typeof POWERSHELL_STEP_ERRORS;

/** True when a string is one of the codes in POWERSHELL_STEP_ERRORS. */
export function isPowerShellStepErrorCode(code: string): code is PowerShellStepErrorCode {
  return Object.hasOwn(POWERSHELL_STEP_ERRORS, code);
}

/** The DriverError codes the PowerShell driver throws when it cannot get a usable answer from its host. */
export const POWERSHELL_DRIVER_ERRORS = {
  AGENT_ERR_DRIVER_CONFIG: 'a driver or runner option is invalid (a path, a computer name, a credential)',
  AGENT_ERR_DRIVER_SPAWN: 'the PowerShell executable could not be started',
  AGENT_ERR_DRIVER_TIMEOUT: 'the script ran longer than its timeout and was stopped',
  AGENT_ERR_DRIVER_ABORTED: 'the script was stopped because its command was cancelled',
  AGENT_ERR_DRIVER_OUTPUT:
    'the script output has no status line, a malformed one, or values that break the schema',
  AGENT_ERR_DRIVER_REMOTE: 'Invoke-Command could not reach the managed server (WinRM, credentials)',
  AGENT_ERR_DRIVER_INVENTORY: 'the inventory script ran and reported that the server cannot be read',
} as const;

/** A DriverError code of the PowerShell driver. */
export type PowerShellDriverErrorCode = keyof typeof POWERSHELL_DRIVER_ERRORS;

// What an administrator does about the exit codes msiexec gives a patch install or removal (Windows Installer
// error codes, MsiExec.exe and InstMsi.exe error messages).
const MSI_EXIT_ADVICE: Readonly<Record<number, string>> = {
  1603: 'msiexec 1603 is a fatal error during the installation: the custom action that failed, or the "Return Value 3" line in the log, names the cause',
  1618: 'msiexec 1618: another installation is already in progress (Windows Update, or an msiexec still running); wait for it to finish, then run the step again',
  1619: "msiexec 1619: the package could not be opened; check that the .msp is staged, complete and readable by the agent's account",
  1625: "msiexec 1625: system policy forbids this installation; allow patching for the agent's account (Windows Installer policies DisablePatch, DisableMSI)",
  1635: 'msiexec 1635: the patch package could not be opened, or the patch is not applied to this product',
  1638: 'msiexec 1638: another version of this product is already installed',
  1642: "msiexec 1642: the patch does not apply to the installed product or version; check the server's build and the package's architecture",
  1643: 'msiexec 1643: system policy does not permit this patch package; check the Windows Installer policies (DisablePatch)',
};

/** What to do about a failing msiexec exit code, or undefined for a code with no advice of its own. */
export function msiExitAdvice(exitCode: number): string | undefined {
  return MSI_EXIT_ADVICE[exitCode];
}
