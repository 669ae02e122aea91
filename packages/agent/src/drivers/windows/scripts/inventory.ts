import { KB959241 } from '@exrollout/core';
import type { DriverConfig } from '../options.js';
import { manifestLiteral, OWA_HELPERS } from './owa.js';
import { composeScript } from './prelude.js';

/** Pending reboot flags and host facts, shared by the inventory and precheck scripts. */
export const HOST_HELPERS = String.raw`function Write-ExrRebootFacts {
  $renames = Get-ExrRegistryValue 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' 'PendingFileRenameOperations'
  Write-Exr 'reboot.fileRenames' (@($renames | Where-Object { $_ }).Count)
  Write-Exr 'reboot.cbs' (Test-ExrRegistryKey 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending')
  Write-Exr 'reboot.windowsUpdate' (Test-ExrRegistryKey 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired')
}
function Write-ExrHostFacts {
  $disk = Get-WmiObject -Class Win32_LogicalDisk -Filter ("DeviceID='" + $env:SystemDrive + "'")
  Write-Exr 'host.freeMb' ([math]::Floor([double]$disk.FreeSpace / 1048576))
  $arch = $env:PROCESSOR_ARCHITEW6432
  if (-not $arch) { $arch = $env:PROCESSOR_ARCHITECTURE }
  Write-Exr 'host.architecture' $arch
  $os = Get-WmiObject -Class Win32_OperatingSystem
  Write-Exr 'host.os' (([string]$os.Caption + ' ' + [string]$os.CSDVersion).Trim())
  Write-Exr 'host.powershellVersion' (Get-ExrPowerShellVersion)
  Write-Exr 'host.elevated' (Test-ExrElevated)
  Write-Exr 'host.dotNet20Sp1' ([int](Get-ExrRegistryValue 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v2.0.50727' 'SP') -ge 1)
}
# The installed engine: PowerShell 3.0 and later register under PowerShell\3, 1.0 and 2.0 under PowerShell\1.
function Get-ExrPowerShellVersion {
  foreach ($key in @('HKLM:\SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine', 'HKLM:\SOFTWARE\Microsoft\PowerShell\1\PowerShellEngine')) {
    $version = [string](Get-ExrRegistryValue $key 'PowerShellVersion')
    if ($version -match '^(\d+\.\d+)') { return $matches[1] }
  }
  ''
}`;

// Edge has no Active Directory: its role is read from the registry and no AD cmdlet is called on it.
const CLUSTER_AND_ROLES = String.raw`function Find-ExrClusteredMailboxServer {
  if (-not (Test-ExrRegistryKey 'HKLM:\Cluster')) { return }
  foreach ($mailbox in @(Get-MailboxServer | Where-Object { [string]$_.ClusteredStorageType -ne 'Disabled' })) {
    foreach ($machine in @($mailbox.RedundantMachines)) {
      if ([string]$machine -eq $env:COMPUTERNAME) { return $mailbox }
    }
  }
}
function Write-ExrCluster($Mailbox) {
  Write-Exr 'cluster.name' (Get-ExrRegistryValue 'HKLM:\Cluster' 'ClusterName')
  Write-Exr 'cluster.storage' $Mailbox.ClusteredStorageType
  Write-Exr 'cluster.cms' $Mailbox.Name
  $status = Get-ClusteredMailboxServerStatus -Identity ([string]$Mailbox.Name)
  foreach ($machine in @($status.OperationalMachines)) { Write-Exr 'cluster.machine' $machine }
}
function Write-ExrRoles($Server) {
  if ($Server.IsMailboxServer) { Write-Exr 'role' 'Mailbox' }
  if ($Server.IsClientAccessServer) { Write-Exr 'role' 'ClientAccess' }
  if ($Server.IsHubTransportServer) { Write-Exr 'role' 'HubTransport' }
  if ($Server.IsUnifiedMessagingServer) { Write-Exr 'role' 'UnifiedMessaging' }
  if ($Server.IsEdgeServer) { Write-Exr 'role' 'Edge' }
  Write-Exr 'server.site' $Server.Site.Name
}
# Internet-facing means an OWA ExternalUrl: EWS, ActiveSync and OAB ones are common on internal servers too.
function Write-ExrExternalUrls {
  foreach ($directory in @(Get-OwaVirtualDirectory -Server $env:COMPUTERNAME)) {
    if ($directory.ExternalUrl) { Write-Exr 'cas.owaExternalUrl' ([string]$directory.Name + ' ' + [string]$directory.ExternalUrl) }
  }
  foreach ($cmdlet in @('Get-ActiveSyncVirtualDirectory', 'Get-WebServicesVirtualDirectory', 'Get-OabVirtualDirectory')) {
    foreach ($directory in @(& $cmdlet -Server $env:COMPUTERNAME)) {
      if ($directory.ExternalUrl) { Write-Exr 'cas.externalUrl' ([string]$directory.Name + ' ' + [string]$directory.ExternalUrl) }
    }
  }
}`;

/**
 * The inventory script: name, FQDN, ExSetup.exe build, roles and site (Get-ExchangeServer, or the registry
 * on Edge), clustered mailbox server membership, CAS ExternalUrls, customised OWA files, installed patches
 * (names; interim updates are told from rollups by the parser), pending reboot, free space, architecture, OS.
 */
export function inventoryScript(config: DriverConfig): string {
  const body = String.raw`Write-Exr 'progress' 'Reading the Exchange install path and ExSetup.exe'
$install = Get-ExrInstallPath
$exsetup = Get-ExrExSetupPath $install
$build = Get-ExrBuild $exsetup
Write-Exr 'server.name' $env:COMPUTERNAME
Write-Exr 'server.fqdn' (Get-ExrHostFqdn)
Write-Exr 'server.build' $build
# An installed role sets ConfiguredVersion under its key; a key without it is left by an uninstalled role.
$isEdge = [bool][string](Get-ExrRegistryValue 'HKLM:\SOFTWARE\Microsoft\Exchange\v8.0\EdgeTransportRole' 'ConfiguredVersion')
$isCas = $false
if ($isEdge) {
  Write-Exr 'role' 'Edge'
} else {
  Write-Exr 'progress' 'Reading roles and site (Get-ExchangeServer)'
  Add-ExrExchangeShell
  $mailbox = Find-ExrClusteredMailboxServer
  if ($mailbox) {
    Write-ExrCluster $mailbox
    Write-ExrRoles (Get-ExchangeServer -Identity ([string]$mailbox.Name))
  } else {
    $server = Get-ExchangeServer -Identity $env:COMPUTERNAME
    Write-ExrRoles $server
    $isCas = [bool]$server.IsClientAccessServer
  }
}
if ($isCas) {
  Write-Exr 'progress' 'Reading ExternalUrl of the CAS virtual directories and comparing OWA files'
  Write-ExrExternalUrls
  $owa = Join-ExrPath $install 'ClientAccess\Owa'
  $manifest = ${manifestLiteral(config)}
  Write-ExrOwaChanges (Get-ExrOwaMethod $manifest) @(Get-ExrOwaChanges $owa $exsetup $build $manifest)
}
foreach ($patch in @(Get-ExrPatches)) { Write-Exr 'patch' $patch.DisplayName }
Write-ExrRebootFacts
Write-ExrHostFacts`;
  return composeScript({
    defaultCode: 'SCRIPT_ERROR',
    productCode: KB959241.productCode,
    helpers: [OWA_HELPERS, HOST_HELPERS, CLUSTER_AND_ROLES],
    body,
  });
}
