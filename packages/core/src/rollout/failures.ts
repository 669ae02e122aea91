/** Failed servers of one error code, with what the operator does next about them. */
export interface FailureGroup {
  readonly code: string;
  readonly count: number;
  readonly servers: string[];
  /** One or two sentences: what to fix, and how to run the servers again. */
  readonly next: string;
}

const ROLL_BACK = 'roll the server back (`exrollout rollouts rollback <rollout> --server NAME`)';

/** Where the failures were: an update or a rollback, and whether it still runs (then its servers can be retried). */
export interface FailureContext {
  readonly kind: 'rollout' | 'rollback';
  readonly ended: boolean;
}

// Failures after the install: the update may be on the server, so their text says all there is to do.
const COMPLETE = new Set([
  'SERVICES_NOT_STARTED',
  'BUILD_MISMATCH',
  'BUILD_UNCONFIRMED',
  'OWA_RESTORE_FAILED',
  'STEP_TIMEOUT',
  'AGENT_LOST',
]);
const UPDATE_OR_NOT = `if the update is on it keep it or ${ROLL_BACK}; if not, include it in a new rollout`;

// What to fix for each code; the way to run the servers again follows it (see again()).
const FIX: Readonly<Record<string, string>> = {
  PACKAGE_MISSING: 'Stage Exchange2007-KB959241-<arch>-EN.msp where the agent takes its packages from',
  PACKAGE_HASH_MISMATCH:
    'The package on the server is not the file whose SHA-256 the policy names: replace it with the Download Center file, or correct packageSha256',
  PACKAGE_WRONG_ARCHITECTURE:
    "Stage the package of the server's architecture (x64 or x86) and give its SHA-256 in the policy",
  PACKAGE_NOT_CONFIGURED: "Add packageSha256.<arch> for these servers' architecture to the policy",
  INSTALL_FAILED:
    'The MSI rolled itself back: search the verbose log (KB959241.log) for "Return Value 3" and fix the cause',
  SERVICES_NOT_STARTED: `KB 944752: let the server reach crl.microsoft.com or set generatePublisherEvidence to false and start the Exchange services, or ${ROLL_BACK}`,
  BUILD_MISMATCH: `ExSetup.exe or the agent's inventory does not show the build the step claims: compare \`Get-Command ExSetup | ForEach {$_.FileVersionInfo}\` with \`exrollout servers show NAME\`, read the install log, and fix the agent or ${ROLL_BACK}`,
  BUILD_UNCONFIRMED: `The agent sent no inventory after the verify step: check the agent and its inventory (\`exrollout servers show NAME\`), or ${ROLL_BACK}`,
  RESULT_REFUSED:
    "The agent's result broke the protocol (the message names the field): fix or upgrade the agent, and check the server's state by hand",
  CMS_MOVE_FAILED:
    'Move the clustered mailbox server by hand (Move-ClusteredMailboxServer) and check the cluster',
  REPLICATION_UNHEALTHY:
    'A CCR storage group copy is not Healthy or too far behind: let replication catch up or repair it (Get-StorageGroupCopyStatus, Resume-StorageGroupCopy, Update-StorageGroupCopy)',
  PRECHECK_POWERSHELL_VERSION:
    'Put Windows PowerShell 2.0 on the server: install WMF 2.0 (KB 968930) over 1.0, or remove WMF 3.0 or later',
  PRECHECK_NOT_ELEVATED: "Run the agent as SYSTEM or from an account with an elevated administrator's token",
  CLUSTER_GROUP_MOVE_FAILED:
    'Move "Cluster Group" off the node by hand (cluster.exe group "Cluster Group" /move:<node>)',
  CLUSTER_NO_UPDATED_NODE:
    'No node of the cluster is on the target build to take the clustered mailbox server: update a passive node first',
  CLUSTER_NO_PEER: "Start the agents of the cluster's other nodes",
  IU_REMOVAL_FAILED: 'Remove the interim updates by hand (Add or Remove Programs)',
  OWA_BACKUP_FAILED: 'Back up the customised OWA files by hand',
  OWA_RESTORE_FAILED:
    'Re-apply the OWA customisations by hand from the backup the step made (the update itself is installed)',
  STEP_TIMEOUT: `The step ran past stepTimeoutSeconds and was cancelled: check the server's build and services by hand (\`exrollout servers show NAME\`); ${UPDATE_OR_NOT}`,
  AGENT_LOST: `The agent dropped during a step and stayed away: bring it back and check the server's build (\`exrollout servers show NAME\`); ${UPDATE_OR_NOT}`,
  AGENT_OFFLINE: 'Start the agent on the server',
  UNINSTALL_FAILED:
    'Read the msiexec log the step names, or remove update 959241 from Add or Remove Programs by hand',
  PATCH_NOT_INSTALLED:
    "Update 959241 is not registered: check ExSetup.exe's version and the Patches key, and remove it by hand if it is there",
  PATCH_CACHE_MISSING:
    'Restore the .msp to the Windows Installer cache from the original package (or reinstall the update to recache it)',
  INVALID_ARGUMENTS: "The agent refused the command's arguments: run an agent of the server's version",
  AGENT_BUSY: 'The agent was running another command: let it finish',
  STEP_CANCELLED: "The step was cancelled: check the server's state by hand",
  EXCHANGE_NOT_FOUND:
    "The agent cannot find Exchange on the server: check the install and the agent's account",
  EXCHANGE_SHELL_UNAVAILABLE:
    "The agent cannot load the Exchange Management Shell: check the install and the agent's account",
};

/** What to fix about servers that failed with `code`, and how to run them again. */
export function nextStepFor(code: string, context: FailureContext): string {
  const fix =
    FIX[code] ??
    (code.startsWith('AGENT_') || code === 'SCRIPT_ERROR'
      ? 'The agent failed unexpectedly: read its log and fix the cause'
      : "Read each server's error message and fix the cause");
  return COMPLETE.has(code) && context.kind === 'rollout' ? `${fix}.` : `${fix}; then ${again(context)}.`;
}

/** Failed servers grouped by error code, the largest group first (then by code), each with its next step. */
export function summariseFailures(
  failed: readonly { readonly name: string; readonly code: string }[],
  context: FailureContext,
): FailureGroup[] {
  const byCode = new Map<string, string[]>();
  for (const { name, code } of failed) byCode.set(code, [...(byCode.get(code) ?? []), name]);
  return [...byCode]
    .map(([code, servers]) => ({ code, count: servers.length, servers, next: nextStepFor(code, context) }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

function again({ kind, ended }: FailureContext): string {
  if (kind === 'rollback')
    return 'roll the servers back again from their rollout (`exrollout rollouts rollback <rollout> --server NAME`)';
  return ended
    ? 'include the servers in a new rollout'
    : 'retry them (`exrollout rollouts retry <rollout> NAME`) or skip them';
}
