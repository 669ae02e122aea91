/**
 * The codes a host driver puts on StepFailedError, shared by every driver so that the server can match on them
 * whichever driver ran the step:
 *
 * | code | step | meaning |
 * |---|---|---|
 * | PRECHECK_NOT_SP1 | precheck | the server is not on Exchange 2007 SP1 (8.1.x) |
 * | PRECHECK_BUILD_CHANGED | precheck | the build is no longer the one the plan was made from |
 * | PRECHECK_PENDING_REBOOT | precheck | Windows has a restart pending |
 * | PRECHECK_DISK_SPACE | precheck | less free space on the system drive than the step asks for |
 * | PRECHECK_POWERSHELL_VERSION | precheck | the server runs PowerShell 1.0, or 3.0 or later (WMF 3.0 breaks rollups) |
 * | PRECHECK_NOT_ELEVATED | precheck | the agent's session lacks the Administrators token (UAC) |
 * | PACKAGE_MISSING | precheck, install | the .msp is not on the host |
 * | PACKAGE_HASH_MISMATCH | precheck, install | the .msp on the host is not the one whose SHA-256 was given |
 * | PACKAGE_WRONG_ARCHITECTURE | precheck, install | the .msp is for x86 and the server x64, or the reverse |
 * | INSTALL_FAILED | install | msiexec failed (the verbose log holds "Return Value 3") |
 * | INSTALLER_BUSY | install, uninstall | msiexec 1618: another installation is in progress (the server retries by policy) |
 * | HOOK_NOT_FOUND | install | a hook the rollout names is not in the agent's hooks folder; nothing ran |
 * | HOOK_FAILED | install | a hook failed: before msiexec, nothing was installed; after it, check what the hook undoes |
 * | RESTART_FAILED | restart | Windows refused the restart (shutdown.exe failed) |
 * | CLUSTER_RESOURCES_OFFLINE | move-cms | SCC: a resource of the clustered mailbox server's group is not online |
 * | SERVICES_NOT_STARTED | verify | Exchange services stopped after the install (KB 944752) |
 * | BUILD_MISMATCH | verify, uninstall | ExSetup.exe reports another build than expected |
 * | PATCH_NOT_INSTALLED | uninstall | the update is not registered as installed |
 * | PATCH_CACHE_MISSING | uninstall | the cached .msp Windows Installer needs to remove the update is gone |
 * | CMS_MOVE_FAILED | move-cms | Move-ClusteredMailboxServer failed or was refused |
 * | REPLICATION_UNHEALTHY | move-cms | CCR: a storage group copy is not healthy or too far behind to move onto |
 * | CLUSTER_GROUP_MOVE_FAILED | move-cluster-group | `cluster.exe group /move` failed or was refused |
 * | IU_REMOVAL_FAILED | remove-interim-updates | an interim update could not be removed, or another is installed |
 * | OWA_BACKUP_FAILED | backup-owa | the OWA files could not be copied |
 * | OWA_RESTORE_FAILED | restore-owa | there is no backup, or it could not be copied back |
 * | UNINSTALL_FAILED | uninstall | msiexec could not remove the update |
 * | INVALID_ARGUMENTS | any | the step's arguments broke its schema; nothing ran |
 * | SCRIPT_ERROR | any (PowerShell) | an unexpected PowerShell error outside any step-specific action |
 * | EXCHANGE_NOT_FOUND | any (PowerShell) | ExSetup.exe was not found: Exchange 2007 is not installed |
 * | EXCHANGE_SHELL_UNAVAILABLE | any (PowerShell) | the Exchange management snap-in did not load |
 * | STEP_CANCELLED | any | the step was aborted before it changed the host |
 * | STAGE_DISK_FULL | stage | the package directory has no room for the package (and twice it for the install) |
 * | STAGE_SERVER_UNREACHABLE | stage | the download failed or broke; the part received is kept for the next try |
 * | STAGE_NOT_IN_STORE | stage | the server's package store does not hold the package |
 * | STAGE_REFUSED | stage | the server refused the agent's credential for the download |
 * | STAGE_UNSUPPORTED | stage | this driver cannot download into the package directory (see docs/packages.md) |
 */
export const STEP_ERROR_CODES = [
  'PRECHECK_NOT_SP1',
  'PRECHECK_BUILD_CHANGED',
  'PRECHECK_PENDING_REBOOT',
  'PRECHECK_DISK_SPACE',
  'PRECHECK_POWERSHELL_VERSION',
  'PRECHECK_NOT_ELEVATED',
  'PACKAGE_MISSING',
  'PACKAGE_HASH_MISMATCH',
  'PACKAGE_WRONG_ARCHITECTURE',
  'INSTALL_FAILED',
  'INSTALLER_BUSY',
  'HOOK_NOT_FOUND',
  'HOOK_FAILED',
  'RESTART_FAILED',
  'CLUSTER_RESOURCES_OFFLINE',
  'SERVICES_NOT_STARTED',
  'BUILD_MISMATCH',
  'PATCH_NOT_INSTALLED',
  'PATCH_CACHE_MISSING',
  'CMS_MOVE_FAILED',
  'REPLICATION_UNHEALTHY',
  'CLUSTER_GROUP_MOVE_FAILED',
  'IU_REMOVAL_FAILED',
  'OWA_BACKUP_FAILED',
  'OWA_RESTORE_FAILED',
  'UNINSTALL_FAILED',
  'INVALID_ARGUMENTS',
  'SCRIPT_ERROR',
  'EXCHANGE_NOT_FOUND',
  'EXCHANGE_SHELL_UNAVAILABLE',
  'STEP_CANCELLED',
  'STAGE_DISK_FULL',
  'STAGE_SERVER_UNREACHABLE',
  'STAGE_NOT_IN_STORE',
  'STAGE_REFUSED',
  'STAGE_UNSUPPORTED',
] as const;

/** One of the stable codes a failed step reports. */
export type StepErrorCode = (typeof STEP_ERROR_CODES)[number];

const known: ReadonlySet<string> = new Set(STEP_ERROR_CODES);

/** True when `code` is one of STEP_ERROR_CODES. */
export function isStepErrorCode(code: string): code is StepErrorCode {
  return known.has(code);
}
