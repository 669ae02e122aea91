import { KB959241, type StepArgs } from '@exrollout/core';
import { psLiteral } from '../literal.js';
import { composeScript } from './prelude.js';

// cluster.exe itself is run by the host primitive Invoke-ExrClusterExe. The core cluster group is the one that
// holds the cluster name resource: "Cluster Group" in English, named otherwise on localized systems.
const NATIVE = String.raw`function Get-ExrClusterGroupName {
  $resource = [string](Get-ExrRegistryValue 'HKLM:\Cluster' 'ClusterNameResource')
  if ($resource) {
    foreach ($group in @(Get-ExrRegistrySubkeys 'HKLM:\Cluster\Groups')) {
      $key = 'HKLM:\Cluster\Groups\' + $group
      if (@(Get-ExrRegistryValue $key 'Contains') -contains $resource) { return [string](Get-ExrRegistryValue $key 'Name') }
    }
  }
  'Cluster Group'
}
function Write-ExrClusterGroupOwner([string]$GroupName) {
  $status = Invoke-ExrClusterExe @('group', $GroupName)
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

// CCR: a clustered mailbox server moves only onto a passive copy that is healthy and nearly caught up, or the
// move loses mail or fails over to a stale copy (Get-StorageGroupCopyStatus before a scheduled outage).
const COPY_HEALTH = String.raw`function Assert-ExrCopiesHealthy([string]$Cms, [int]$MaxCopy, [int]$MaxReplay) {
  $mailbox = @(Get-MailboxServer -Identity $Cms) | Select-Object -First 1
  if (-not $mailbox -or [string]$mailbox.ClusteredStorageType -ne 'NonShared') { return }
  foreach ($copy in @(Get-StorageGroupCopyStatus -Server $Cms)) {
    $name = [string]$copy.StorageGroupName
    Write-Exr 'ccr.copy' ($name + ' ' + [string]$copy.SummaryCopyStatus + ' copy=' + [string]$copy.CopyQueueLength + ' replay=' + [string]$copy.ReplayQueueLength)
    if ([string]$copy.SummaryCopyStatus -ne 'Healthy' -or [int]$copy.CopyQueueLength -gt $MaxCopy -or [int]$copy.ReplayQueueLength -gt $MaxReplay) {
      Stop-Exr 'REPLICATION_UNHEALTHY' ('storage group ' + $name + ' of ' + $Cms + ' is ' + [string]$copy.SummaryCopyStatus + ' with a copy queue of ' + [string]$copy.CopyQueueLength + ' and a replay queue of ' + [string]$copy.ReplayQueueLength + ' (at most ' + $MaxCopy + ' and ' + $MaxReplay + '); Move-ClusteredMailboxServer was not run. Let replication catch up or repair it (Get-StorageGroupCopyStatus, Resume-StorageGroupCopy, Update-StorageGroupCopy), then run the step again')
    }
  }
}`;

// SCC: the clustered mailbox server's cluster group (named after it) must have every resource online, or the move
// stalls or fails halfway. cluster.exe res prints fixed-width columns under a rule of dashes: Resource, Group,
// Node, Status.
const SCC_RESOURCES = String.raw`function Get-ExrClusterResources {
  $run = Invoke-ExrClusterExe @('res')
  if ($run.ExitCode -ne 0) { Stop-Exr 'CLUSTER_RESOURCES_OFFLINE' ('cluster.exe res exited with ' + $run.ExitCode + ': ' + [string]::Join(' ', @($run.Lines))) }
  $lines = @($run.Lines)
  $rule = -1
  for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^-+( -+)+\s*$') { $rule = $i; break } }
  if ($rule -lt 0) { Stop-Exr 'CLUSTER_RESOURCES_OFFLINE' 'cluster.exe res printed no table of resources' }
  $starts = @()
  foreach ($match in [regex]::Matches($lines[$rule], '-+')) { $starts += $match.Index }
  for ($i = $rule + 1; $i -lt $lines.Count; $i++) {
    $line = [string]$lines[$i]
    if (-not $line.Trim() -or $starts.Count -lt 4) { continue }
    $cells = @()
    for ($c = 0; $c -lt $starts.Count; $c++) {
      $from = [math]::Min($starts[$c], $line.Length)
      $to = $line.Length
      if ($c + 1 -lt $starts.Count) { $to = [math]::Min($starts[$c + 1], $line.Length) }
      $cells += $line.Substring($from, $to - $from).Trim()
    }
    New-Object PSObject -Property @{ Name = $cells[0]; Group = $cells[1]; Status = $cells[$cells.Count - 1] }
  }
}
function Assert-ExrSccResourcesOnline([string]$Cms) {
  $mailbox = @(Get-MailboxServer -Identity $Cms) | Select-Object -First 1
  if (-not $mailbox -or [string]$mailbox.ClusteredStorageType -ne 'Shared') { return }
  foreach ($resource in @(Get-ExrClusterResources | Where-Object { $_.Group -eq $Cms })) {
    Write-Exr 'cluster.resource' ($resource.Name + ' ' + $resource.Status)
    if ($resource.Status -ne 'Online') {
      Stop-Exr 'CLUSTER_RESOURCES_OFFLINE' ('cluster resource "' + $resource.Name + '" of ' + $Cms + ' is ' + $resource.Status + '; Move-ClusteredMailboxServer was not run: bring the resources online (cluster.exe res), then run the step again')
    }
  }
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
  Assert-ExrCopiesHealthy $cms ${args.maxCopyQueueLength ?? 10} ${args.maxReplayQueueLength ?? 100}
  Assert-ExrSccResourcesOnline $cms
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
    helpers: [ACTIVE_ON, COPY_HEALTH, SCC_RESOURCES],
    body,
  });
}

/**
 * move-cluster-group: `cluster.exe group "Cluster Group" /move:<node>` (skipped when the node already owns
 * it), then `cluster.exe group "Cluster Group"` so that the parser can check the owner.
 */
export function moveClusterGroupScript(args: StepArgs['move-cluster-group']): string {
  const body = String.raw`$target = ${psLiteral(args.targetNode)}
$groupName = Get-ExrClusterGroupName
Write-Exr 'cluster.groupName' $groupName
$status = Invoke-ExrClusterExe @('group', $groupName)
$owned = @($status.Lines | Where-Object { $_ -match ('^' + [regex]::Escape($groupName) + '\s+' + [regex]::Escape($target) + '\s') }).Count -gt 0
if (-not $owned) {
  Write-Exr 'progress' ('cluster.exe group "' + $groupName + '" /move:' + $target)
  $move = Invoke-ExrClusterExe @('group', $groupName, ('/move:' + $target))
  foreach ($line in $move.Lines) { Write-Exr 'cluster.output' $line }
  if ($move.ExitCode -ne 0) {
    Stop-Exr 'CLUSTER_GROUP_MOVE_FAILED' ('cluster.exe group "' + $groupName + '" /move:' + $target + ' exited with ' + $move.ExitCode)
  }
}
Write-ExrClusterGroupOwner $groupName`;
  return composeScript({
    defaultCode: 'CLUSTER_GROUP_MOVE_FAILED',
    productCode: KB959241.productCode,
    helpers: [NATIVE],
    body,
  });
}
