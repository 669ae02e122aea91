import { KB959241, type StepArgs } from '@exrollout/core';
import { psLiteral } from '../literal.js';
import { composeScript } from './prelude.js';

// cluster.exe itself is run by the host primitive Invoke-ExrClusterExe.
const NATIVE = `function Write-ExrClusterGroupOwner {
  $status = Invoke-ExrClusterExe @('group', 'Cluster Group')
  foreach ($line in $status.Lines) { Write-Exr 'cluster.groupStatus' $line }
}`;

// OperationalMachines lists each node with its flags, `SEA-CCR1-N2 <Active, Quorum Owner>`; read as the
// driver's parser does (results/snapshot.ts activeMachine): any flag, in any order, equal to Active.
const ACTIVE_ON = String.raw`function Test-ExrActiveOn($Machines, [string]$Node) {
  foreach ($machine in @($Machines)) {
    if (([string]$machine) -match ('^\s*' + [regex]::Escape($Node) + '\s*<([^>]*)>')) {
      foreach ($flag in $matches[1].Split(',')) { if ($flag.Trim() -eq 'Active') { return $true } }
    }
  }
  $false
}`;

/**
 * move-cms: `Move-ClusteredMailboxServer -Identity <cms> -TargetMachine <node> -MoveComment <text>
 * -Confirm:$false`, skipped when the target node already hosts it (so that the step can run again after the
 * move); then reports OperationalMachines, where the active node carries `<Active`.
 */
export function moveCmsScript(args: StepArgs['move-cms'], commandId: string): string {
  const body = `Add-ExrExchangeShell
$cms = ${psLiteral(args.cms)}
$target = ${psLiteral(args.targetNode)}
$before = Get-ClusteredMailboxServerStatus -Identity $cms
if (Test-ExrActiveOn $before.OperationalMachines $target) {
  Write-Exr 'cms.alreadyOnTarget' $true
} else {
  Write-Exr 'progress' ('Move-ClusteredMailboxServer ' + $cms + ' to ' + $target)
  try {
    Move-ClusteredMailboxServer -Identity $cms -TargetMachine $target -MoveComment ${psLiteral(`exrollout ${KB959241.id} ${commandId}`)} -Confirm:$false
  } catch {
    Stop-Exr 'CMS_MOVE_FAILED' ('Move-ClusteredMailboxServer -Identity ' + $cms + ' -TargetMachine ' + $target + ' failed: ' + $_.Exception.Message)
  }
}
$after = Get-ClusteredMailboxServerStatus -Identity $cms
Write-Exr 'cms.state' $after.State
foreach ($machine in @($after.OperationalMachines)) { Write-Exr 'cluster.machine' $machine }`;
  return composeScript({
    defaultCode: 'CMS_MOVE_FAILED',
    productCode: KB959241.productCode,
    helpers: [ACTIVE_ON],
    body,
  });
}

/**
 * move-cluster-group: `cluster.exe group "Cluster Group" /move:<node>` (skipped when the node already owns
 * it), then `cluster.exe group "Cluster Group"` so that the parser can check the owner.
 */
export function moveClusterGroupScript(args: StepArgs['move-cluster-group']): string {
  const body = String.raw`$target = ${psLiteral(args.targetNode)}
$status = Invoke-ExrClusterExe @('group', 'Cluster Group')
$owned = @($status.Lines | Where-Object { $_ -match ('^Cluster Group\s+' + [regex]::Escape($target) + '\s') }).Count -gt 0
if (-not $owned) {
  Write-Exr 'progress' ('cluster.exe group "Cluster Group" /move:' + $target)
  $move = Invoke-ExrClusterExe @('group', 'Cluster Group', ('/move:' + $target))
  foreach ($line in $move.Lines) { Write-Exr 'cluster.output' $line }
  if ($move.ExitCode -ne 0) {
    Stop-Exr 'CLUSTER_GROUP_MOVE_FAILED' ('cluster.exe group "Cluster Group" /move:' + $target + ' exited with ' + $move.ExitCode)
  }
}
Write-ExrClusterGroupOwner`;
  return composeScript({
    defaultCode: 'CLUSTER_GROUP_MOVE_FAILED',
    productCode: KB959241.productCode,
    helpers: [NATIVE],
    body,
  });
}
