# The stub Exchange 2007 host: what the agent's scripts call on a mail server, answered from a state file.
# It runs under PowerShell 7 on Linux, beside the scripts, which stay PowerShell 2.0. The scripts reach the
# registry, file versions, msiexec.exe and cluster.exe only through the host primitives (stub-primitives.ps1
# calls the functions below); Exchange cmdlets, WMI and services are stood in for here as functions of the same
# names. Every change the stub makes is written back to the state file at once, so that the next script (and the
# test) sees it. The scripts run under Set-StrictMode -Version 2, and so does this code when they call it.

function Get-StubRoot {
  $root = $env:EXR_STUB_ROOT
  if (-not $root) { throw 'EXR_STUB_ROOT is not set: it names the stub host folder' }
  $root
}

function Get-StubState {
  Get-Content -Raw -LiteralPath (Join-Path (Get-StubRoot) 'state.json') | ConvertFrom-Json -AsHashtable
}

function Save-StubState($State) {
  $path = Join-Path (Get-StubRoot) 'state.json'
  $temporary = $path + '.' + [guid]::NewGuid().ToString('n') + '.tmp'
  $State | ConvertTo-Json -Depth 30 | Set-Content -LiteralPath $temporary -Encoding utf8
  Move-Item -LiteralPath $temporary -Destination $path -Force
}

function Add-StubHistory($State, [string]$What, [string]$Detail) {
  $State.history += , @{ at = (Get-Date).ToUniversalTime().ToString('o'); what = $What; detail = $Detail }
}

function ConvertTo-StubKey([string]$Path) {
  $Path.Replace('/', '\').TrimEnd('\').ToLowerInvariant()
}

# --- the registry -----------------------------------------------------------------------------------------

function Test-StubRegistryKey([string]$Path) {
  $key = ConvertTo-StubKey $Path
  foreach ($name in (Get-StubState).registry.Keys) {
    if ($name -eq $key -or $name.StartsWith($key + '\')) { return $true }
  }
  $false
}

function Get-StubRegistryValue([string]$Path, [string]$Name) {
  $entry = (Get-StubState).registry[(ConvertTo-StubKey $Path)]
  if ($null -eq $entry) { return $null }
  $entry.values[$Name]
}

function Get-StubRegistrySubkeys([string]$Path) {
  $prefix = (ConvertTo-StubKey $Path) + '\'
  $seen = @{}
  foreach ($entry in (Get-StubState).registry.Values) {
    $lower = ConvertTo-StubKey $entry.path
    if (-not $lower.StartsWith($prefix)) { continue }
    $child = $entry.path.Replace('/', '\').Substring($prefix.Length).Split('\')[0]
    if (-not $seen.ContainsKey($child.ToLowerInvariant())) {
      $seen[$child.ToLowerInvariant()] = $true
      $child
    }
  }
}

function Set-StubRegistryValues($State, [string]$Path, $Values) {
  $State.registry[(ConvertTo-StubKey $Path)] = @{ path = $Path; values = $Values }
}

function Set-StubRegistryDword([string]$Path, [string]$Name, [int]$Value) {
  $state = Get-StubState
  $key = ConvertTo-StubKey $Path
  $entry = $state.registry[$key]
  if ($null -eq $entry) { $entry = @{ path = $Path; values = @{} }; $state.registry[$key] = $entry }
  $entry.values[$Name] = $Value
  Add-StubHistory $state 'registry.set' ($Path + '\' + $Name + '=0x' + $Value.ToString('x'))
  Save-StubState $state
}

function Remove-StubRegistryKey($State, [string]$Path) {
  $key = ConvertTo-StubKey $Path
  foreach ($name in @($State.registry.Keys)) {
    if ($name -eq $key -or $name.StartsWith($key + '\')) { $State.registry.Remove($name) }
  }
}

# --- files ------------------------------------------------------------------------------------------------

function ConvertTo-StubNativePath([string]$Path) {
  $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}

# A file's version resource: ExSetup.exe's is the build, kept in the state; any other file has none.
function Get-StubFileVersion([string]$Path) {
  if (-not (Test-Path -LiteralPath $Path)) {
    throw (New-Object System.IO.FileNotFoundException ((ConvertTo-StubNativePath $Path)))
  }
  $version = (Get-StubState).fileVersions[(ConvertTo-StubKey $Path)]
  if ($null -eq $version) { return '0.0.0.0' }
  [string]$version
}

function Write-StubLines([string]$Path, [string[]]$Lines) {
  $native = ConvertTo-StubNativePath $Path
  [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($native))
  [System.IO.File]::WriteAllLines($native, $Lines)
}

# --- Exchange cmdlets: only after Add-PSSnapin, as on a server ----------------------------------------------

$script:StubSnapin = 'Microsoft.Exchange.Management.PowerShell.Admin'
$global:StubSnapinLoaded = $false

function Get-PSSnapin {
  param([string]$Name, [object]$ErrorAction)
  if ($global:StubSnapinLoaded -and $Name -eq $script:StubSnapin) {
    return New-Object PSObject -Property @{ Name = $script:StubSnapin }
  }
}

function Add-PSSnapin {
  param([string]$Name)
  $state = Get-StubState
  if ($Name -ne $script:StubSnapin -or -not $state.exchange.shellInstalled) {
    throw ("The Windows PowerShell snap-in '" + $Name + "' is not installed on this machine.")
  }
  $global:StubSnapinLoaded = $true
}

function Assert-StubSnapin([string]$Cmdlet) {
  if (-not $global:StubSnapinLoaded) {
    throw ("The term '" + $Cmdlet + "' is not recognized as the name of a cmdlet, function, script file, or operable program.")
  }
}

function ConvertTo-StubObject($Table) {
  $properties = @{}
  foreach ($name in $Table.Keys) { $properties[$name] = $Table[$name] }
  New-Object PSObject -Property $properties
}

function Get-ExchangeServer {
  param([string]$Identity)
  Assert-StubSnapin 'Get-ExchangeServer'
  foreach ($server in (Get-StubState).exchange.servers) {
    if ($server.Name -eq $Identity) {
      $object = ConvertTo-StubObject $server
      $object.Site = New-Object PSObject -Property @{ Name = $server.Site }
      return $object
    }
  }
  throw ("The operation could not be performed because object '" + $Identity + "' could not be found on domain controller 'DC01.contoso.com'.")
}

function Get-MailboxServer {
  param([string]$Identity)
  Assert-StubSnapin 'Get-MailboxServer'
  foreach ($mailbox in (Get-StubState).exchange.mailboxServers) {
    if (-not $Identity -or $mailbox.Name -eq $Identity) { ConvertTo-StubObject $mailbox }
  }
}

function Get-StorageGroupCopyStatus {
  param([string]$Server)
  Assert-StubSnapin 'Get-StorageGroupCopyStatus'
  $cluster = Get-StubCluster
  if ($cluster.cms -ne $Server) { throw ("The clustered mailbox server '" + $Server + "' was not found.") }
  foreach ($copy in @($cluster['copies'])) { if ($null -ne $copy) { ConvertTo-StubObject $copy } }
}

function Get-StubCluster {
  $file = (Get-StubState).clusterFile
  if (-not $file) { throw 'this stub host is not a cluster node' }
  Get-Content -Raw -LiteralPath $file | ConvertFrom-Json -AsHashtable
}

function Save-StubCluster($Cluster) {
  $file = (Get-StubState).clusterFile
  $temporary = $file + '.' + [guid]::NewGuid().ToString('n') + '.tmp'
  $Cluster | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $temporary -Encoding utf8
  Move-Item -LiteralPath $temporary -Destination $file -Force
}

function Get-ClusteredMailboxServerStatus {
  param([string]$Identity)
  Assert-StubSnapin 'Get-ClusteredMailboxServerStatus'
  $cluster = Get-StubCluster
  if ($cluster.cms -ne $Identity) { throw ("Clustered mailbox server '" + $Identity + "' was not found.") }
  $machines = @()
  foreach ($node in $cluster.nodes) {
    if ($node -eq $cluster.active) { $machines += ($node + ' <Active, Quorum Owner>') } else { $machines += $node }
  }
  New-Object PSObject -Property @{ Identity = $cluster.cms; State = 'Online'; OperationalMachines = $machines }
}

function Move-ClusteredMailboxServer {
  param([string]$Identity, [string]$TargetMachine, [string]$MoveComment, [switch]$Confirm)
  Assert-StubSnapin 'Move-ClusteredMailboxServer'
  $cluster = Get-StubCluster
  if ($cluster.cms -ne $Identity) { throw ("Clustered mailbox server '" + $Identity + "' was not found.") }
  if ($cluster.cmsMoveFails) {
    throw ("The move of clustered mailbox server '" + $Identity + "' failed: the storage group copies on '" + $TargetMachine + "' are not healthy.")
  }
  if (@($cluster.nodes | Where-Object { $_ -eq $TargetMachine }).Count -eq 0) {
    throw ("'" + $TargetMachine + "' is not a node of cluster '" + $cluster.name + "'.")
  }
  $cluster.active = $TargetMachine
  $cluster.moves += , @{ cms = $Identity; to = $TargetMachine; comment = $MoveComment }
  Save-StubCluster $cluster
}

function Get-StubVirtualDirectories([string]$Cmdlet, [string]$Server) {
  Assert-StubSnapin $Cmdlet
  foreach ($directory in @((Get-StubState).exchange.virtualDirectories[$Cmdlet])) {
    if ($null -ne $directory) { ConvertTo-StubObject $directory }
  }
}
function Get-OwaVirtualDirectory { param([string]$Server) Get-StubVirtualDirectories 'Get-OwaVirtualDirectory' $Server }
function Get-ActiveSyncVirtualDirectory { param([string]$Server) Get-StubVirtualDirectories 'Get-ActiveSyncVirtualDirectory' $Server }
function Get-WebServicesVirtualDirectory { param([string]$Server) Get-StubVirtualDirectories 'Get-WebServicesVirtualDirectory' $Server }
function Get-OabVirtualDirectory { param([string]$Server) Get-StubVirtualDirectories 'Get-OabVirtualDirectory' $Server }

# --- WMI and services -------------------------------------------------------------------------------------

function Get-WmiObject {
  param([string]$Class, [string]$Filter)
  $state = Get-StubState
  switch ($Class) {
    'Win32_LogicalDisk' { New-Object PSObject -Property @{ DeviceID = $env:SystemDrive; FreeSpace = [double]$state.freeBytes } }
    'Win32_OperatingSystem' { New-Object PSObject -Property @{ Caption = $state.osCaption; CSDVersion = $state.osServicePack } }
    'Win32_Service' {
      foreach ($service in $state.services) {
        if ($service.StartMode -eq 'Auto' -and ($service.Name -like 'MSExchange*' -or $service.Name -eq 'ADAM_MSExchange')) { ConvertTo-StubObject $service }
      }
    }
    default { throw ('the stub host has no WMI class ' + $Class) }
  }
}

# KB 944752: a managed service whose .exe.config lacks generatePublisherEvidence enabled="false" times out at
# start while the CRL cannot be reached; the stub reads the real config file the remedy wrote.
function Test-StubRemedied([string]$PathName) {
  $exe = $PathName.Trim('"')
  $config = $exe + '.config'
  if (-not (Test-Path -LiteralPath $config)) { return $false }
  $xml = New-Object System.Xml.XmlDocument
  $xml.Load((ConvertTo-StubNativePath $config))
  $node = $xml.SelectSingleNode('/configuration/runtime/generatePublisherEvidence')
  $null -ne $node -and $node.GetAttribute('enabled') -eq 'false'
}

function Start-Service {
  param([string]$Name)
  $state = Get-StubState
  foreach ($service in $state.services) {
    if ($service.Name -ne $Name) { continue }
    if ($service.State -eq 'Running') { return }
    if ($service.crlTimeout -and -not (Test-StubRemedied $service.PathName)) {
      throw ("Service '" + $service.DisplayName + " (" + $Name + ")' cannot be started due to the following error: Cannot start service " + $Name + " on computer '.'.")
    }
    $service.State = 'Running'
    Add-StubHistory $state 'service.started' $Name
    Save-StubState $state
    return
  }
  throw ("Cannot find any service with service name '" + $Name + "'.")
}

# --- msiexec.exe ------------------------------------------------------------------------------------------

function Split-StubArguments([string]$Arguments) {
  $words = @()
  foreach ($match in [regex]::Matches($Arguments, '"([^"]*)"|(\S+)')) {
    if ($match.Groups[1].Success) { $words += $match.Groups[1].Value } else { $words += $match.Groups[2].Value }
  }
  $words
}

function Write-StubMsiLog([string]$Log, [string[]]$Lines, [int]$ExitCode) {
  $all = @('=== Verbose logging started: exrollout stub host ===') + $Lines
  $all += ('MSI (s) (A8:5C) [02:47:20:115]: Product: Microsoft Exchange Server. Installation completed with exit code ' + $ExitCode + '.')
  $all += ('MainEngineThread is returning ' + $ExitCode)
  Write-StubLines $Log $all
}

function Invoke-StubMsiexec([string]$Arguments) {
  $words = @(Split-StubArguments $Arguments)
  $log = ''
  for ($i = 0; $i -lt $words.Count; $i++) { if ($words[$i] -ieq '/l*v') { $log = $words[$i + 1] } }
  $state = Get-StubState
  Add-StubHistory $state 'msiexec' $Arguments
  Save-StubState $state
  $busy = $state.msi.busyRuns
  if ($busy -gt 0) {
    $state.msi.busyRuns = $busy - 1
    Save-StubState $state
    Write-StubMsiLog $log @('Another installation is already in progress. Complete that installation before proceeding with this install.') 1618
    return 1618
  }
  if ($words[0] -ieq '/update') { return Install-StubPatch $state $words[1] $log }
  if ($words[0] -ieq '/package' -and $words[2] -ieq '/uninstall') { return Remove-StubPatch $state $words[3] $log }
  Write-StubMsiLog $log @('Invalid command line argument.') 1639
  1639
}

function Install-StubPatch($State, [string]$Msp, [string]$Log) {
  if (-not (Test-Path -LiteralPath $Msp)) {
    Write-StubMsiLog $Log @('This installation package could not be opened: ' + $Msp) 1619
    return 1619
  }
  $package = $State.packages[[System.IO.Path]::GetFileName($Msp.Replace('\', '/')).ToLowerInvariant()]
  if ($null -eq $package) {
    Write-StubMsiLog $Log @('The upgrade patch cannot be installed by the Windows Installer service because the program to be upgraded may be missing.') 1642
    return 1642
  }
  $previous = $State.fileVersions[(ConvertTo-StubKey $State.exsetup)]
  if (-not ([string]$previous).StartsWith($package.line)) {
    Write-StubMsiLog $Log @('The upgrade patch cannot be installed by the Windows Installer service because the program to be upgraded may be missing, or the upgrade patch may update a different version of the program.') 1642
    return 1642
  }
  $behaviour = $State.msi
  if ($behaviour.installFails -eq 'services-did-not-stop') {
    Write-StubMsiLog $Log @(
      'MSI (s) (A8:5C) [02:31:07:412]: Executing op: ServiceControl(,Name=MSExchangeTransport,Action=2,Wait=1,)',
      'Error 1921. Service ''Microsoft Exchange Transport'' (MSExchangeTransport) could not be stopped. Verify that you have sufficient privileges to stop system services.',
      'Action ended 2:33:07: InstallExecute. Return value 3.'
    ) 1603
    return 1603
  }
  if ($behaviour.installFails) {
    Write-StubMsiLog $Log @(
      'MSI (s) (A8:5C) [02:47:12:998]: Executing op: CustomActionSchedule(Action=CAQuietExec_OwaVdirUpdate,ActionType=3073,Source=BinaryData,Target=CAQuietExec)',
      'CustomAction CAQuietExec_OwaVdirUpdate returned actual error code 1603 (note this may not be 100% accurate if translation happened inside sandbox)',
      'Action ended 2:47:13: InstallExecute. Return value 3.',
      'Action ended 2:47:14: INSTALL. Return value 3.'
    ) 1603
    return 1603
  }
  $State.fileVersions[(ConvertTo-StubKey $State.exsetup)] = $package.build
  $cache = 'C:\Windows\Installer\' + $package.packed.Substring(0, 8).ToLowerInvariant() + '.msp'
  Copy-Item -LiteralPath $Msp -Destination $cache -Force
  Set-StubRegistryValues $State ($State.patchesKey + '\' + $package.packed) @{ DisplayName = $package.displayName }
  Set-StubRegistryValues $State ($State.patchDataKey + '\' + $package.packed) @{ LocalPackage = $cache }
  $State.installed[$package.patchCode] = @{ packed = $package.packed; previousBuild = $previous; displayName = $package.displayName; isInterimUpdate = $false }
  Update-StubOwaAfterInstall $State $package.owaFolder
  foreach ($service in $State.services) {
    if ($behaviour.servicesFailToStart -and -not $service['native']) { $service.State = 'Stopped'; $service.crlTimeout = $true }
  }
  Add-StubHistory $State 'installed' $package.displayName
  $exit = 0
  if ($behaviour.restartExitCode) {
    $exit = [int]$behaviour.restartExitCode
    # Files in use are replaced at the next boot: Windows now has a restart pending.
    $State.registry['hklm:\system\currentcontrolset\control\session manager'].values['PendingFileRenameOperations'] = @('\??\C:\Program Files\Microsoft\Exchange Server\Bin\exr.dll', '')
  }
  Save-StubState $State
  # A continue-on-error custom action leaves "Return value 3" in logs of installs that succeeded.
  Write-StubMsiLog $Log @(
    'Action ended 2:40:01: CAQuietExec_RegisterPerfCounters. Return value 3.',
    'Product: Microsoft Exchange Server - Update ''' + $package.displayName + ''' installed successfully.'
  ) $exit
  $exit
}

# A rollup lays down the new build's OWA folder and overwrites the shipped files it carries, customised or not.
function Update-StubOwaAfterInstall($State, [string]$Folder) {
  if (-not $State.owa) { return }
  $owa = $State.owa.root
  $stamp = [datetime]::Parse($State.owa.shippedAt).ToUniversalTime()
  foreach ($relative in @($State.owa.shipped)) {
    $target = $relative.Replace('{build}', $Folder)
    $path = $owa + '\' + $target
    Write-StubLines $path @('shipped ' + $target)
    (Get-Item -LiteralPath $path).LastWriteTimeUtc = $stamp
  }
}

function Remove-StubPatch($State, [string]$PatchCode, [string]$Log) {
  $record = $State.installed[$PatchCode]
  if ($null -eq $record) {
    Write-StubMsiLog $Log @('This patch package could not be opened or is not applied to this product.') 1635
    return 1635
  }
  if ($record.isInterimUpdate -and $State.msi.iuRemovalFails) {
    Write-StubMsiLog $Log @('CustomAction RemoveInterimUpdate returned actual error code 1603', 'Action ended 2:10:01: INSTALL. Return value 3.') 1603
    return 1603
  }
  Remove-StubRegistryKey $State ($State.patchesKey + '\' + $record.packed)
  Remove-StubRegistryKey $State ($State.patchDataKey + '\' + $record.packed)
  $State.installed.Remove($PatchCode)
  if ($record.previousBuild) { $State.fileVersions[(ConvertTo-StubKey $State.exsetup)] = $record.previousBuild }
  Add-StubHistory $State 'removed' $record.displayName
  Save-StubState $State
  Write-StubMsiLog $Log @('Product: Microsoft Exchange Server - Update ''' + $record.displayName + ''' removed successfully.') 0
  0
}

# --- cluster.exe ------------------------------------------------------------------------------------------

function Format-StubGroupStatus($Cluster) {
  @(
    '',
    'Group                Node            Status',
    '-------------------- --------------- ------',
    ($Cluster.groupName.PadRight(20) + ' ' + $Cluster.groupOwner.PadRight(15) + ' Online')
  )
}

function Format-StubResources($Cluster) {
  $lines = @('Listing status for all available resources:', '', ('Resource'.PadRight(30) + ' ' + 'Group'.PadRight(20) + ' ' + 'Node'.PadRight(15) + ' Status'), (('-' * 30) + ' ' + ('-' * 20) + ' ' + ('-' * 15) + ' ------'))
  foreach ($resource in @($Cluster['resources'])) {
    if ($null -eq $resource) { continue }
    $lines += ($resource.name.PadRight(30) + ' ' + $resource.group.PadRight(20) + ' ' + $Cluster.active.PadRight(15) + ' ' + $resource.status)
  }
  $lines
}

function Invoke-StubClusterExe([string[]]$Arguments) {
  $cluster = Get-StubCluster
  if ($Arguments.Count -eq 1 -and $Arguments[0] -eq 'res') {
    return New-Object PSObject -Property @{ ExitCode = 0; Lines = (Format-StubResources $cluster) }
  }
  if ($Arguments.Count -lt 2 -or $Arguments[0] -ne 'group' -or $Arguments[1] -ne $cluster.groupName) {
    return New-Object PSObject -Property @{ ExitCode = 5013; Lines = @('System error 5013 has occurred (0x00001395).', 'The cluster group could not be found.') }
  }
  if ($Arguments.Count -eq 2) {
    $lines = @("Listing status for resource group '" + $cluster.groupName + "':") + (Format-StubGroupStatus $cluster)
    return New-Object PSObject -Property @{ ExitCode = 0; Lines = $lines }
  }
  $target = $Arguments[2] -replace '^/move:', ''
  if (@($cluster.nodes | Where-Object { $_ -eq $target }).Count -eq 0) {
    return New-Object PSObject -Property @{ ExitCode = 5042; Lines = @('System error 5042 has occurred (0x000013b2).', 'The cluster node was not found.') }
  }
  $cluster.groupOwner = $target
  Save-StubCluster $cluster
  $lines = @("Moving resource group '" + $cluster.groupName + "'...") + (Format-StubGroupStatus $cluster)
  New-Object PSObject -Property @{ ExitCode = 0; Lines = $lines }
}

# --- restarts and hooks -------------------------------------------------------------------------------------

# shutdown.exe /r: the stub host goes down and boots at once (a new boot time, the pending file renames done),
# unless the test made it refuse (restartRefused, shutdown.exe's "Access is denied.") or ignore the restart
# (restartIgnored: the host stays up, as when someone runs shutdown /a).
function Invoke-StubRestart([string]$Reason) {
  $state = Get-StubState
  Add-StubHistory $state 'restart' $Reason
  if ($state.restart.refused) {
    Save-StubState $state
    return New-Object PSObject -Property @{ ExitCode = 5; Lines = @('Access is denied.(5)') }
  }
  if (-not $state.restart.ignored) {
    $state.bootTime = (Get-Date).ToUniversalTime().AddSeconds(1).ToString('o')
    $state.registry['hklm:\system\currentcontrolset\control\session manager'].values['PendingFileRenameOperations'] = $null
    $state.reboots = [int]$state.reboots + 1
  }
  Save-StubState $state
  New-Object PSObject -Property @{ ExitCode = 0; Lines = @() }
}

# A hook is the administrator's own script, run by a PowerShell of its own as powershell.exe -File runs it there.
function Invoke-StubHook([string]$Path) {
  $state = Get-StubState
  Add-StubHistory $state 'hook' $Path
  Save-StubState $state
  $ErrorActionPreference = 'Continue'
  $pwsh = $env:EXR_PWSH
  if (-not $pwsh) { $pwsh = 'pwsh' }
  $lines = @(& $pwsh -NoProfile -NonInteractive -File (ConvertTo-StubNativePath $Path) 2>&1 | ForEach-Object { [string]$_ })
  New-Object PSObject -Property @{ ExitCode = $LASTEXITCODE; Lines = $lines }
}

# --- remote mode --------------------------------------------------------------------------------------------

# With EXR_STUB_INVOKE_LOCALLY=1 the stub host is also the managed server of remote mode: Invoke-Command runs its
# script block here, as WinRM would run it there. Without it, PowerShell's own Invoke-Command answers (on Linux:
# no WSMan client), which is how a refused connection looks to the agent.
if ($env:EXR_STUB_INVOKE_LOCALLY -eq '1') {
  function Invoke-Command {
    param([string]$ComputerName, [object]$Credential, [object]$ErrorAction, [scriptblock]$ScriptBlock)
    if ($ComputerName -ne $env:COMPUTERNAME) { throw ('[' + $ComputerName + '] Connecting to remote server ' + $ComputerName + ' failed: WinRM cannot complete the operation.') }
    & $ScriptBlock
  }
}
